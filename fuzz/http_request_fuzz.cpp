// Fuzzes what a service's HTTP server does with raw bytes from a connection: Beast's request
// parser with the limits platform/http/server.cpp sets, request after request as on a
// keep-alive connection, then the Request the server builds from each (method, target split
// into path and query, lower-cased headers, body) and its query parameters. Invariants: a
// request that parses has a body within the limit and a Content-Length body of that length.

// g++ 12 with Boost 1.74 needs <utility> before any Boost header.
#include <utility>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cctype>

#include "fuzz_input.hpp"
#include "platform/http/framing.hpp"
#include "platform/http/message.hpp"
#include "platform/http/server.hpp"

namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

// As server.cpp's Session sets them.
const std::size_t kBodyLimit = platform::http::ServerOptions{}.body_limit;
constexpr std::size_t kHeaderLimit = 16 * 1024;
// A connection's worth of pipelined requests is enough to reach every parser state.
constexpr int kMaxRequests = 8;

// The Request the server hands its router, as Session builds it.
platform::http::Request ToRequest(bhttp::request<bhttp::string_body>& message) {
  platform::http::Request request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  auto q = request.target.find('?');
  request.path = request.target.substr(0, q);
  if (q != std::string::npos) request.query = request.target.substr(q + 1);
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  request.body = std::move(message.body());
  return request;
}

// Parses one request from the front of `rest` (consuming what the parser used). False when the
// connection would be closed: a malformed request or the end of the bytes.
bool ParseOne(std::string_view& rest) {
  bhttp::request_parser<bhttp::string_body> parser;
  parser.body_limit(kBodyLimit);
  parser.header_limit(kHeaderLimit);
  beast::error_code ec;
  while (!parser.is_done()) {
    auto used = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
    rest.remove_prefix(used);
    if (ec == bhttp::error::need_more) {
      ec = {};
      if (used > 0) continue;
      parser.put_eof(ec);  // the peer closed: nothing more is coming
      if (ec || !parser.is_done()) return false;
      break;
    }
    if (ec) return false;
    if (used == 0) return false;
  }
  auto& message = parser.get();
  TODO_FUZZ_CHECK(message.body().size() <= kBodyLimit);
  if (!parser.chunked() && parser.content_length()) {
    TODO_FUZZ_CHECK(message.body().size() == *parser.content_length());
  }
  bool keep_alive = message.keep_alive();
  unsigned version = message.version();
  auto request = ToRequest(message);
  // The server's own checks of the parsed header (RFC 9112): a refused request closes the
  // connection, so nothing after it is read as another request.
  auto framing = platform::http::CheckFraming(version, request.headers);
  if (!framing) {
    TODO_FUZZ_CHECK(framing.error().kind == platform::ErrorKind::kValidation);
    return false;
  }
  // What passes has one way to find its end: no Transfer-Encoding but a final chunked.
  if (!request.Header("transfer-encoding").empty()) TODO_FUZZ_CHECK(parser.chunked());
  (void)platform::http::IsJsonMediaType(request.Header("content-type"));
  (void)request.QueryParams();
  (void)request.Header("x-request-id");
  return keep_alive;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  for (int i = 0; i < kMaxRequests && !rest.empty(); ++i) {
    if (!ParseOne(rest)) break;
  }
  return 0;
}
