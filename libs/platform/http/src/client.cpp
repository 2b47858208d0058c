// g++ 12 with Boost 1.74 needs <utility> before any Boost header.
#include <utility>

#include "platform/http/client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <charconv>

namespace platform::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::string_view kHttpScheme = "http://";

// One GET on `stream`; `done` tells the caller whether it finished before the deadline.
asio::awaitable<void> Exchange(tcp::resolver& resolver, beast::tcp_stream& stream,
                               const HttpUrl& url, Clock::time_point deadline,
                               std::size_t max_body_bytes, Result<std::string>& out, bool& done) {
  const std::string where = url.authority + url.target;
  beast::error_code ec;
  const auto endpoints = co_await resolver.async_resolve(
      url.host, url.port, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    out = std::unexpected(Error::Unavailable("cannot resolve " + url.host + ": " + ec.message()));
    done = true;
    co_return;
  }
  // tcp_stream's timer closes the socket at the deadline, so each step below ends by then.
  stream.expires_at(deadline);
  co_await stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    out = std::unexpected(Error::Unavailable("cannot connect to " + where + ": " + ec.message()));
    done = true;
    co_return;
  }
  bhttp::request<bhttp::empty_body> request{bhttp::verb::get, url.target, 11};
  request.set(bhttp::field::host, url.authority);
  request.set(bhttp::field::accept, "application/json");
  request.keep_alive(false);
  co_await bhttp::async_write(stream, request, asio::redirect_error(asio::use_awaitable, ec));
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(max_body_bytes);
  if (!ec) {
    co_await bhttp::async_read(stream, buffer, parser,
                               asio::redirect_error(asio::use_awaitable, ec));
  }
  if (ec) {
    out = std::unexpected(Error::Unavailable("GET " + where + " failed: " + ec.message()));
    done = true;
    co_return;
  }
  auto response = parser.release();
  if (response.result_int() != 200) {
    out = std::unexpected(
        Error::Unavailable("GET " + where + " answered " + std::to_string(response.result_int())));
  } else {
    out = std::move(response.body());
  }
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  done = true;
}

}  // namespace

Result<HttpUrl> ParseHttpUrl(std::string_view url) {
  if (!url.starts_with(kHttpScheme)) {
    return std::unexpected(Error::Internal("URL must start with http://"));
  }
  std::string_view rest = url.substr(kHttpScheme.size());
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  HttpUrl out;
  if (slash != std::string_view::npos) out.target = std::string(rest.substr(slash));
  out.authority = std::string(authority);

  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return std::unexpected(Error::Internal("URL has a malformed IPv6 host"));
    }
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::unexpected(Error::Internal("URL has a malformed host"));
      port = after.substr(1);
    }
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return std::unexpected(Error::Internal("URL has no host"));
  out.host = std::string(host);
  if (!port.empty() || authority.ends_with(':')) {
    int number = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
    if (ec != std::errc() || end != port.data() + port.size() || number < 1 || number > 65535) {
      return std::unexpected(Error::Internal("URL has an invalid port"));
    }
    out.port = std::string(port);
  }
  return out;
}

Result<std::string> HttpGet(const std::string& url, std::chrono::milliseconds timeout,
                            std::size_t max_body_bytes) {
  auto parsed = ParseHttpUrl(url);
  if (!parsed) return std::unexpected(Error::Unavailable(parsed.error().detail));
  const auto deadline = Clock::now() + timeout;

  // Its own io_context: this runs at start-up or on a background thread, outside any
  // server's event loop.
  asio::io_context context;
  tcp::resolver resolver(context);
  beast::tcp_stream stream(context);
  Result<std::string> out = std::unexpected(Error::Unavailable("GET " + url + " did not run"));
  bool done = false;
  asio::co_spawn(context, Exchange(resolver, stream, *parsed, deadline, max_body_bytes, out, done),
                 asio::detached);
  // The stream's timer bounds connect, write and read; this bounds name resolution too.
  context.run_until(deadline);
  if (!done) {
    resolver.cancel();
    stream.close();
    // Let the coroutine see the cancellation and finish before its frame's references die.
    // A getaddrinfo already under way cannot be interrupted, so this may wait for it.
    context.restart();
    context.run();
    return std::unexpected(Error::Unavailable("GET " + url + " timed out"));
  }
  return out;
}

}  // namespace platform::http
