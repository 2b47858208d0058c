// g++ 12 with Boost 1.74 needs <utility> before any Boost header.
#include <utility>

#include "platform/http/server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "platform/http/client_address.hpp"
#include "platform/http/framing.hpp"
#include "platform/log.hpp"
#include "platform/metrics.hpp"
#include "platform/uuid.hpp"

namespace platform::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;

namespace {

bool IsSaneRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// The method as a metrics label: anything a client can make up (`SECPROBEX`) is one "other",
// so requests cannot grow the number of series.
std::string_view MethodLabel(std::string_view method) {
  static constexpr std::array<std::string_view, 9> kKnown = {
      "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"};
  for (auto known : kKnown) {
    if (method == known) return known;
  }
  return "other";
}

std::string LowerCase(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// ChunkWriter: a StreamWriter on the connection, each write bounded by the write timeout.
class ChunkWriter : public StreamWriter {
 public:
  ChunkWriter(beast::tcp_stream& stream, const std::atomic<bool>& stopping,
              std::chrono::seconds timeout)
      : stream_(stream), stopping_(stopping), timeout_(timeout) {}

  asio::awaitable<bool> Write(std::string chunk) override {
    if (failed_ || stopping_.load()) co_return false;
    if (chunk.empty()) co_return true;  // an empty chunk would end the body
    beast::error_code ec;
    auto framed = bhttp::make_chunk(asio::buffer(chunk));
    // Most chunks (an event, a heartbeat) fit in the socket's buffer: written at once, with no
    // timer to arm and no wait; only what does not fit waits, bounded by the timeout.
    auto& socket = stream_.socket();
    if (!socket.non_blocking()) socket.non_blocking(true, ec);
    std::size_t written = ec ? 0 : asio::write(socket, framed, ec);
    if (!ec) co_return true;
    if (ec != asio::error::would_block && ec != asio::error::try_again) {
      failed_ = true;
      co_return false;
    }
    beast::buffers_suffix<decltype(framed)> rest(framed);
    rest.consume(written);
    ec = {};
    stream_.expires_after(timeout_);
    co_await asio::async_write(stream_, rest, asio::redirect_error(asio::use_awaitable, ec));
    stream_.expires_never();
    if (ec) failed_ = true;
    co_return !failed_;
  }
  bool Stopping() const override { return stopping_.load(); }
  bool Closed() const override { return closed_; }
  void OnClosed(std::function<void()> wake) override { on_closed_ = std::move(wake); }
  bool Failed() const { return failed_; }

  // The client is gone (its side of the connection ended): the handler is told.
  void MarkClosed() {
    if (closed_) return;
    closed_ = true;
    if (on_closed_) on_closed_();
  }

 private:
  beast::tcp_stream& stream_;
  const std::atomic<bool>& stopping_;
  std::chrono::seconds timeout_;
  bool failed_ = false;
  bool closed_ = false;
  std::function<void()> on_closed_;
};

// StreamWatch: reads (and discards) what a streaming connection's client sends, so that the
// moment it closes is known without a write; `done` once the read has ended, and `ended` is
// cancelled then (its waiter resumes). Both live on the connection's one-threaded executor.
struct StreamWatch {
  explicit StreamWatch(const asio::any_io_executor& executor) : ended(executor) {}
  bool done = false;
  asio::steady_timer ended;
};

}  // namespace

// RouteStats: the metrics of one route, looked up once per route instead of per request.
struct RouteStats {
  std::string route;
  std::string method;
  metrics::Histogram* latency = nullptr;
  std::array<std::atomic<metrics::Counter*>, 600> by_status{};
};

struct HttpServer::Impl {
  ServerOptions options;
  Router router;
  // One io_context per thread: connections never migrate, so threads do not contend on one
  // scheduler queue. The acceptor lives on the first and hands sockets out round-robin.
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  tcp::acceptor acceptor;
  asio::signal_set signals;
  std::atomic<bool> stopping{false};
  std::atomic<int> in_flight{0};
  std::size_t next_context = 0;
  metrics::Registry& registry = metrics::DefaultRegistry();
  std::mutex stats_mutex;
  std::map<std::pair<const void*, std::string>, std::unique_ptr<RouteStats>> stats;

  static std::vector<std::unique_ptr<asio::io_context>> MakeContexts(int n) {
    std::vector<std::unique_ptr<asio::io_context>> out;
    for (int i = 0; i < std::max(n, 1); ++i) out.push_back(std::make_unique<asio::io_context>(1));
    return out;
  }

  Impl(ServerOptions o, Router r)
      : options(std::move(o)),
        router(std::move(r)),
        contexts(MakeContexts(options.threads)),
        acceptor(*contexts.front()),
        signals(*contexts.front(), SIGTERM, SIGINT) {}

  asio::awaitable<void> Accept() {
    while (!stopping) {
      beast::error_code ec;
      auto& target = *contexts[next_context++ % contexts.size()];
      tcp::socket socket(target);
      co_await acceptor.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (stopping) break;
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      asio::co_spawn(target, Session(std::move(socket)), asio::detached);
    }
  }

  RouteStats& StatsFor(const void* key, std::string_view route, std::string_view method) {
    // Per-thread memo: the shared map is locked once per route and thread, not per request.
    thread_local std::map<std::pair<const void*, std::string>, RouteStats*> memo;
    // Unmatched requests share one entry per method label, whatever path or method they sent.
    std::pair<const void*, std::string> id{key, key ? std::string() : std::string(method)};
    if (auto it = memo.find(id); it != memo.end()) return *it->second;
    std::lock_guard lock(stats_mutex);
    auto& slot = stats[id];
    if (!slot) {
      slot = std::make_unique<RouteStats>();
      slot->route = route.empty() ? "unmatched" : std::string(route);
      slot->method = std::string(method);
      slot->latency =
          &registry.GetHistogram("http_request_duration_seconds", "HTTP request latency by route",
                                 {{"route", slot->route}});
    }
    memo[id] = slot.get();
    return *slot;
  }

  asio::awaitable<Response> Dispatch(Request& request, const void*& route_key) const {
    auto match = router.Find(request.method, request.path);
    if (!match) {
      auto response = Response::Problem(match.error());
      if (match.error().kind == ErrorKind::kMethodNotAllowed) {
        response.SetHeader("Allow", router.AllowedMethods(request.path));
      }
      co_return response;
    }
    request.params = std::move(match->params);
    request.route = match->route;
    route_key = match->handler;
    // Every handler here reads JSON: one check instead of one per body parser.
    if (!request.body.empty() && !IsJsonMediaType(request.Header("content-type"))) {
      co_return UnsupportedMediaType();
    }
    try {
      co_return co_await (*match->handler)(request);
    } catch (const std::exception& e) {
      log::Error(
          "unhandled exception in handler",
          {{"request_id", request.request_id}, {"route", request.route}, {"what", e.what()}});
    }
    co_return Response::Problem(Error::Internal());
  }

  void Record(const Request& request, const Response& response, const void* route_key,
              std::chrono::steady_clock::time_point started) {
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    auto& stats = StatsFor(route_key, route_key ? request.route : std::string_view(),
                           MethodLabel(request.method));
    stats.latency->Observe(seconds);
    int status = response.status >= 100 && response.status < 600 ? response.status : 599;
    auto* counter = stats.by_status[status].load(std::memory_order_acquire);
    if (counter == nullptr) {
      counter = &registry.GetCounter(
          "http_requests_total", "HTTP requests by route, method and status",
          {{"route", stats.route}, {"method", stats.method}, {"status", std::to_string(status)}});
      stats.by_status[status].store(counter, std::memory_order_release);
    }
    counter->Inc();
    bool quiet = std::find(options.unlogged_routes.begin(), options.unlogged_routes.end(),
                           request.route) != options.unlogged_routes.end();
    if (options.access_log && !quiet) {
      log::Info("request", {{"request_id", request.request_id},
                            {"method", request.method},
                            {"path", request.path},
                            {"status", response.status},
                            {"duration_ms", seconds * 1000.0},
                            {"remote", request.remote_address}});
    }
  }

  asio::awaitable<void> WriteResponse(beast::tcp_stream& stream, Response& response,
                                      const std::string& request_id, bool keep_alive,
                                      bool head_request, beast::error_code& ec) const {
    bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(response.status), 11};
    for (const auto& [name, value] : response.headers) out.set(name, value);
    out.set("X-Request-Id", request_id);
    out.keep_alive(keep_alive);
    out.body() = std::move(response.body);
    out.prepare_payload();
    if (head_request) out.body().clear();
    stream.expires_after(options.read_timeout);
    co_await bhttp::async_write(stream, out, asio::redirect_error(asio::use_awaitable, ec));
  }

  // A streamed answer: chunked headers now, then the handler's chunks, then the last chunk. Not
  // counted in flight: a stream ends when the server stops (Write answers false).
  asio::awaitable<void> WriteStream(beast::tcp_stream& stream, Response& response,
                                    const std::string& request_id) const {
    bhttp::response<bhttp::empty_body> head{static_cast<bhttp::status>(response.status), 11};
    for (const auto& [name, value] : response.headers) head.set(name, value);
    head.set("X-Request-Id", request_id);
    head.keep_alive(false);
    head.chunked(true);
    bhttp::response_serializer<bhttp::empty_body> serializer{head};
    beast::error_code ec;
    stream.expires_after(options.read_timeout);
    co_await bhttp::async_write_header(stream, serializer,
                                       asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    stream.expires_never();
    ChunkWriter writer(stream, stopping, options.read_timeout);
    auto watch = std::make_shared<StreamWatch>(stream.get_executor());
    // One read beside the writes (a socket allows one of each at a time); it ends when the
    // client closes, or is cancelled below once the body is written.
    asio::co_spawn(
        stream.get_executor(),
        [&stream, &writer, watch]() -> asio::awaitable<void> {
          std::array<char, 512> scratch{};
          beast::error_code read_ec;
          while (!read_ec) {
            co_await stream.socket().async_read_some(
                asio::buffer(scratch), asio::redirect_error(asio::use_awaitable, read_ec));
          }
          if (read_ec != asio::error::operation_aborted) writer.MarkClosed();
          watch->done = true;
          watch->ended.cancel();
        },
        asio::detached);
    try {
      co_await response.stream(writer);
    } catch (const std::exception& e) {
      log::Error("unhandled exception in a stream",
                 {{"request_id", request_id}, {"what", e.what()}});
    }
    writer.OnClosed({});  // what the handler registered has ended with it
    if (!writer.Failed() && !writer.Closed()) {
      stream.expires_after(options.read_timeout);
      auto last = bhttp::make_chunk_last();
      co_await asio::async_write(stream, last, asio::redirect_error(asio::use_awaitable, ec));
    }
    // The watching read refers to this stream and writer: it ends before they do.
    beast::error_code cancel_ec;
    stream.socket().cancel(cancel_ec);
    if (!watch->done) {
      watch->ended.expires_at(asio::steady_timer::time_point::max());
      co_await watch->ended.async_wait(asio::redirect_error(asio::use_awaitable, cancel_ec));
    }
  }

  asio::awaitable<void> Session(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    std::string remote;
    {
      beast::error_code ec;
      auto endpoint = stream.socket().remote_endpoint(ec);
      if (!ec) remote = endpoint.address().to_string();
    }
    // Not `while (!stopping)`: a request already sent on an accepted connection is still
    // answered during shutdown (with Connection: close), instead of being dropped.
    for (;;) {
      beast::error_code ec;
      bhttp::request_parser<bhttp::string_body> parser;
      parser.body_limit(options.body_limit);
      parser.header_limit(16 * 1024);
      // Waiting for the next request is idle time; once it starts it must arrive promptly.
      stream.expires_after(options.idle_timeout);
      co_await bhttp::async_read_header(stream, buffer, parser,
                                        asio::redirect_error(asio::use_awaitable, ec));
      auto started = std::chrono::steady_clock::now();
      Request request;
      request.remote_address = remote;
      auto& message = parser.get();
      // Framing is judged on the header alone, before any body is read: a body this server
      // and a proxy in front of it would delimit differently is never read at all.
      std::optional<Error> refused;
      if (!ec) {
        for (const auto& field : message) {
          auto name = field.name_string();
          request.headers.emplace_back(LowerCase(std::string_view(name.data(), name.size())),
                                       std::string(field.value()));
        }
        if (auto framing = CheckFraming(message.version(), request.headers); !framing) {
          refused = framing.error();
        }
      }
      // A request without a body is complete after its header: no second read (and no
      // second trip through the scheduler) for the common GET.
      if (!ec && !refused && !parser.is_done()) {
        stream.expires_after(options.read_timeout);
        co_await bhttp::async_read(stream, buffer, parser,
                                   asio::redirect_error(asio::use_awaitable, ec));
      }
      if (ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
          ec == beast::error::timeout || ec == asio::error::connection_reset ||
          ec == asio::error::operation_aborted) {
        break;
      }
      bool close_after = false;
      const void* route_key = nullptr;
      Response response;
      ++in_flight;
      if (ec == bhttp::error::body_limit) {
        response = Response::Problem(Error::PayloadTooLarge("request body exceeds 64 KiB"));
        close_after = true;
      } else if (ec) {
        response = Response::Problem(Error::Validation("malformed HTTP request"));
        close_after = true;
      } else if (refused) {
        response = Response::Problem(*refused);
        close_after = true;
      }
      auto incoming_id = message["X-Request-Id"];
      request.request_id = IsSaneRequestId(std::string_view(incoming_id.data(), incoming_id.size()))
                               ? std::string(incoming_id)
                               : NewRequestId();
      if (parser.is_header_done()) {
        request.method = std::string(message.method_string());
        request.target = std::string(message.target());
        auto q = request.target.find('?');
        request.path = request.target.substr(0, q);
        if (q != std::string::npos) request.query = request.target.substr(q + 1);
      }
      if (!ec && !refused) {
        request.client_address = ClientAddress(request, options.trusted_proxies);
        request.body = std::move(message.body());
        response = co_await Dispatch(request, route_key);
      }
      bool head = message.method() == bhttp::verb::head;
      Record(request, response, route_key, started);
      if (response.stream && !head) {
        --in_flight;
        co_await WriteStream(stream, response, request.request_id);
        break;
      }
      bool keep_alive = !close_after && !ec && !refused && message.keep_alive() && !stopping;
      beast::error_code write_ec;
      co_await WriteResponse(stream, response, request.request_id, keep_alive, head, write_ec);
      --in_flight;
      if (write_ec || !keep_alive) {
        if (!write_ec && close_after) co_await DrainBeforeClose(stream);
        break;
      }
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  // After refusing a request whose body was not read (413, malformed), the peer may still be
  // sending it; closing at once would reset the connection and a proxy would answer 502
  // instead of passing on our answer. So: stop sending, then read and discard what is still
  // coming (bounded in bytes and time) until the peer closes.
  asio::awaitable<void> DrainBeforeClose(beast::tcp_stream& stream) {
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    std::array<char, 16 * 1024> scratch{};
    std::size_t discarded = 0;
    stream.expires_after(std::chrono::seconds(2));
    while (!ec && discarded < 4 * 1024 * 1024) {
      discarded += co_await stream.async_read_some(asio::buffer(scratch),
                                                   asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  asio::awaitable<void> DrainThenStop() {
    asio::steady_timer timer(*contexts.front());
    auto started = std::chrono::steady_clock::now();
    auto deadline = started + options.shutdown_grace;
    // A short floor lets requests that clients already sent on open connections be read and
    // counted as in flight before the loop decides nothing is left to finish.
    auto floor = started + std::chrono::milliseconds(250);
    while ((in_flight.load() > 0 || std::chrono::steady_clock::now() < floor) &&
           std::chrono::steady_clock::now() < deadline) {
      timer.expires_after(std::chrono::milliseconds(10));
      beast::error_code ec;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    log::Info("shutdown complete", {{"unfinished_requests", in_flight.load()}});
    for (auto& context : contexts) context->stop();
  }

  void BeginShutdown() {
    if (stopping.exchange(true)) return;
    log::Info("shutting down: no longer accepting connections");
    beast::error_code ec;
    acceptor.close(ec);
    signals.cancel(ec);
    if (options.on_shutdown) options.on_shutdown();
    asio::co_spawn(*contexts.front(), DrainThenStop(), asio::detached);
  }
};

HttpServer::HttpServer(ServerOptions options, Router router)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(router))) {}

HttpServer::~HttpServer() = default;

asio::io_context& HttpServer::Context() { return *impl_->contexts.front(); }

void HttpServer::Listen() {
  auto address = asio::ip::make_address(impl_->options.address);
  tcp::endpoint endpoint(address, static_cast<unsigned short>(impl_->options.port));
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen(asio::socket_base::max_listen_connections);
}

int HttpServer::BoundPort() const { return impl_->acceptor.local_endpoint().port(); }

void HttpServer::Run() {
  if (!impl_->acceptor.is_open()) Listen();
  impl_->signals.async_wait([this](const beast::error_code& ec, int) {
    if (!ec) impl_->BeginShutdown();
  });
  asio::co_spawn(*impl_->contexts.front(), impl_->Accept(), asio::detached);
  // Work guards keep idle contexts running until shutdown stops them.
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  for (auto& context : impl_->contexts) guards.push_back(asio::make_work_guard(*context));
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < impl_->contexts.size(); ++i) {
    threads.emplace_back([this, i] { impl_->contexts[i]->run(); });
  }
  impl_->contexts.front()->run();
  for (auto& t : threads) t.join();
}

void HttpServer::Shutdown() {
  asio::post(*impl_->contexts.front(), [this] { impl_->BeginShutdown(); });
}

}  // namespace platform::http
