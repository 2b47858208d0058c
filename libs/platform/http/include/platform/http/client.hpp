#pragma once
// A small blocking HTTP/1.1 client for what a service fetches outside a request (identity's
// public keys): one GET, bounded in time and size, on its own event loop.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "platform/error.hpp"

namespace platform::http {

// HttpUrl: the parts of an http:// URL that a GET needs.
struct HttpUrl {
  std::string host;         // without IPv6 brackets, for the resolver
  std::string port = "80";  // as the resolver wants it
  std::string authority;    // host[:port] as written, for the Host header
  std::string target = "/";
};

// The parts of "http://host[:port]/path"; Error::Internal when it is not such a URL (a
// configuration mistake, which waiting cannot fix).
Result<HttpUrl> ParseHttpUrl(std::string_view url);

// A body that large is not an answer the client expects.
inline constexpr std::size_t kMaxClientBodyBytes = 1024 * 1024;

// The body of a 200 answer to a blocking GET of `url` ("http://host[:port]/path"), or
// Error::Unavailable (a malformed URL, unreachable, timed out, another status, a body over
// `max_body_bytes`). `timeout` bounds the whole exchange, name resolution included. Plain http
// only: it is for calls inside the deployment's private network; TLS is the gateway's job.
Result<std::string> HttpGet(const std::string& url, std::chrono::milliseconds timeout,
                            std::size_t max_body_bytes = kMaxClientBodyBytes);

}  // namespace platform::http
