// g++ 12 with Boost 1.74 needs <utility> before any Boost header.
#include <utility>

#include "platform/auth/key_source.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <iterator>
#include <string_view>

#include "platform/log.hpp"

namespace platform::auth {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// A JWKS is a few hundred bytes per key; anything near this is not one.
constexpr std::size_t kMaxBodyBytes = 1024 * 1024;
constexpr std::chrono::milliseconds kRetryEvery{200};
constexpr std::chrono::milliseconds kMaxAttemptTimeout{2000};

constexpr std::string_view kHttpScheme = "http://";
constexpr std::string_view kHttpsScheme = "https://";

// HttpUrl: the parts of an http:// URL that a GET needs.
struct HttpUrl {
  std::string host;         // without IPv6 brackets, for the resolver
  std::string port = "80";  // as the resolver wants it
  std::string authority;    // host[:port] as written, for the Host header
  std::string target = "/";
};

Result<HttpUrl> ParseHttpUrl(std::string_view url) {
  if (!url.starts_with(kHttpScheme)) {
    return std::unexpected(Error::Internal("key source URL must start with http://"));
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
      return std::unexpected(Error::Internal("key source URL has a malformed IPv6 host"));
    }
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return std::unexpected(Error::Internal("key source URL has a malformed host"));
      }
      port = after.substr(1);
    }
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return std::unexpected(Error::Internal("key source URL has no host"));
  out.host = std::string(host);
  if (!port.empty() || authority.ends_with(':')) {
    int number = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
    if (ec != std::errc() || end != port.data() + port.size() || number < 1 || number > 65535) {
      return std::unexpected(Error::Internal("key source URL has an invalid port"));
    }
    out.port = std::string(port);
  }
  return out;
}

// One GET on `stream`; `done` tells the caller whether it finished before the deadline.
asio::awaitable<void> Exchange(tcp::resolver& resolver, beast::tcp_stream& stream,
                               const HttpUrl& url, Clock::time_point deadline,
                               Result<std::string>& out, bool& done) {
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
  parser.body_limit(kMaxBodyBytes);
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

Result<std::string> ReadKeyFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return std::unexpected(Error::Unavailable("cannot read key file " + path));
  std::string content;
  content.resize(kMaxBodyBytes + 1);
  file.read(content.data(), static_cast<std::streamsize>(content.size()));
  if (file.bad()) return std::unexpected(Error::Unavailable("cannot read key file " + path));
  content.resize(static_cast<std::size_t>(file.gcount()));
  if (content.size() > kMaxBodyBytes) {
    return std::unexpected(Error::Internal("key file " + path + " is larger than 1 MiB"));
  }
  return content;
}

// Keys from a JWKS document or a PEM public key, told apart by content so that one setting
// accepts either.
Result<std::vector<VerifyingKey>> ParseKeys(std::string_view content, const std::string& source) {
  const auto first = content.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && content[first] == '{') {
    auto keys = VerifyingKey::FromJwks(content);
    if (!keys) return std::unexpected(Error::Internal(source + ": " + keys.error().detail));
    return keys;
  }
  if (content.find("-----BEGIN") != std::string_view::npos) {
    auto key = VerifyingKey::FromPem(content);
    if (!key) return std::unexpected(Error::Internal(source + ": " + key.error().detail));
    return std::vector<VerifyingKey>{std::move(*key)};
  }
  return std::unexpected(Error::Internal(source + " holds neither a JWKS nor a PEM public key"));
}

std::vector<std::pair<std::string, std::string>> Fingerprint(
    const std::vector<VerifyingKey>& keys) {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(keys.size());
  for (const auto& key : keys) out.emplace_back(key.KeyId(), key.RawPublicKey());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

Result<std::string> HttpGet(const std::string& url, std::chrono::milliseconds timeout) {
  auto parsed = ParseHttpUrl(url);
  if (!parsed) return std::unexpected(Error::Unavailable(parsed.error().detail));
  const auto deadline = Clock::now() + timeout;

  // Its own io_context: this runs at start-up or on the refresher's thread, outside any
  // server's event loop.
  asio::io_context context;
  tcp::resolver resolver(context);
  beast::tcp_stream stream(context);
  Result<std::string> out = std::unexpected(Error::Unavailable("GET " + url + " did not run"));
  bool done = false;
  asio::co_spawn(context, Exchange(resolver, stream, *parsed, deadline, out, done), asio::detached);
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

Result<std::vector<VerifyingKey>> LoadVerifyingKeys(const std::string& source,
                                                    std::chrono::milliseconds timeout) {
  if (source.starts_with(kHttpsScheme)) {
    return std::unexpected(
        Error::Internal("https key sources are not supported; use http:// inside the network"));
  }
  if (source.starts_with(kHttpScheme)) {
    if (auto parsed = ParseHttpUrl(source); !parsed) return std::unexpected(parsed.error());
    auto body = HttpGet(source, timeout);
    if (!body) return std::unexpected(body.error());
    return ParseKeys(*body, source);
  }
  auto content = ReadKeyFile(source);
  if (!content) return std::unexpected(content.error());
  return ParseKeys(*content, source);
}

Result<std::vector<VerifyingKey>> LoadVerifyingKeysWithRetry(const std::string& source,
                                                             std::chrono::seconds total_wait) {
  const auto deadline = Clock::now() + total_wait;
  bool warned = false;
  for (;;) {
    const auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    const auto attempt_timeout = std::clamp(remaining, kRetryEvery, kMaxAttemptTimeout);
    auto keys = LoadVerifyingKeys(source, attempt_timeout);
    if (keys || keys.error().kind != ErrorKind::kUnavailable) return keys;
    const auto now = Clock::now();
    if (now >= deadline) {
      keys.error().detail += " (gave up after " + std::to_string(total_wait.count()) + " s)";
      return keys;
    }
    // Once, so that a slow identity start does not flood the log at five lines a second.
    if (!warned) {
      log::Warn("access-token keys not available yet; retrying",
                {{"source", source}, {"error", keys.error().detail}});
      warned = true;
    }
    // The one sleep: start-up has nothing else to do until the keys arrive.
    std::this_thread::sleep_until(std::min(now + kRetryEvery, deadline));
  }
}

KeyRefresher::KeyRefresher(std::string source, TokenVerifier& verifier,
                           std::chrono::seconds interval, std::chrono::milliseconds timeout,
                           std::vector<VerifyingKey> current_keys)
    : source_(std::move(source)),
      verifier_(verifier),
      interval_(interval),
      timeout_(timeout),
      applied_(Fingerprint(current_keys)) {}

KeyRefresher::~KeyRefresher() { Stop(); }

void KeyRefresher::Start() {
  std::lock_guard lifecycle(lifecycle_mutex_);
  if (thread_.joinable()) return;
  {
    std::lock_guard lock(state_mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { Run(); });
}

void KeyRefresher::Stop() {
  std::lock_guard lifecycle(lifecycle_mutex_);
  {
    std::lock_guard lock(state_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<void> KeyRefresher::RefreshNow() {
  // Held across the load so that a slow, older answer never overwrites a newer one.
  std::lock_guard lock(refresh_mutex_);
  auto keys = LoadVerifyingKeys(source_, timeout_);
  if (!keys) return std::unexpected(keys.error());
  auto fingerprint = Fingerprint(*keys);
  // Replacing identical keys would only throw away the verifier's cache of checked tokens.
  if (fingerprint == applied_) return {};
  log::Info("access-token keys changed",
            {{"source", source_}, {"keys", static_cast<std::int64_t>(keys->size())}});
  verifier_.SetKeys(std::move(*keys));
  applied_ = std::move(fingerprint);
  return {};
}

void KeyRefresher::Run() {
  std::unique_lock lock(state_mutex_);
  while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    if (auto refreshed = RefreshNow(); !refreshed) {
      log::Warn("access-token key refresh failed; keeping the current keys",
                {{"source", source_}, {"error", refreshed.error().detail}});
    }
    lock.lock();
  }
}

}  // namespace platform::auth
