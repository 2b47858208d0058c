#pragma once
// Request and Response as handlers see them, free of Beast so handlers compile quickly.

// g++ 12 with Boost 1.74 needs <utility> before any Boost header.
#include <utility>

#include <boost/asio/awaitable.hpp>

#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "platform/error.hpp"

namespace platform::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Request: one parsed HTTP request; header names are lower-case.
struct Request {
  std::string method;
  std::string target;
  std::string path;
  std::string query;
  HeaderList headers;
  std::string body;
  std::unordered_map<std::string, std::string> params;  // from {name} in the route pattern
  std::string_view route;  // the matched pattern (owned by the Router), for metrics and logs
  std::string request_id;
  std::string remote_address;  // the peer
  std::string client_address;  // who the peer or a trusted proxy says sent it (ClientAddress)
  std::string subject;         // the authenticated user id, set by the auth guard
  std::string session_id;
  std::string token_id;
  std::int64_t token_expires_at = 0;

  // The header's value, or empty when absent.
  std::string_view Header(std::string_view lower_name) const;
  // Decoded query parameters in order.
  std::vector<std::pair<std::string, std::string>> QueryParams() const;
};

// StreamWriter: where a streaming handler writes its body, one chunk at a time (HTTP/1.1
// chunked). Write answers false once the client has gone or the server is shutting down; the
// handler should return then.
class StreamWriter {
 public:
  virtual ~StreamWriter() = default;
  virtual boost::asio::awaitable<bool> Write(std::string chunk) = 0;
  virtual bool Stopping() const = 0;
  // The client closed the connection (seen without writing: a quiet stream learns it at once).
  virtual bool Closed() const = 0;
  // Called once, on the stream's executor, when the client closes the connection: a handler
  // waiting for something to write is woken to end.
  virtual void OnClosed(std::function<void()> wake) = 0;
};

// StreamBody: produces a streamed body until it returns (Server-Sent Events, for instance).
using StreamBody = std::function<boost::asio::awaitable<void>(StreamWriter&)>;

// Response: status, headers and body that the server writes back.
struct Response {
  int status = 200;
  HeaderList headers;
  std::string body;
  // When set, `body` is ignored: the headers are sent at once, then whatever `stream` writes,
  // and the connection closes when it returns.
  StreamBody stream;

  Response() = default;
  // A failed result answers as its problem (so TODO_CO_TRY works in a handler).
  Response(std::unexpected<Error> failure)  // NOLINT(google-explicit-constructor)
      : Response(Problem(failure.error())) {}

  static Response Json(int status, std::string body);
  static Response Problem(const Error& error);
  static Response NoContent();
  void SetHeader(std::string name, std::string value);
  std::string_view Header(std::string_view name) const;
};

using Handler = std::function<boost::asio::awaitable<Response>(Request&)>;

// Percent-decodes a URL component ('+' is a space in queries); nullopt when malformed.
std::optional<std::string> UrlDecode(std::string_view text, bool plus_is_space);

}  // namespace platform::http
