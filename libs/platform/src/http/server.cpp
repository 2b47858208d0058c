// g++ 12 with Boost 1.74 needs <utility> before any Boost header.
#include <utility>

#include "platform/http/server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <atomic>
#include <thread>
#include <vector>

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

std::string LowerCase(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

struct HttpServer::Impl {
  ServerOptions options;
  Router router;
  asio::io_context context;
  tcp::acceptor acceptor{context};
  asio::signal_set signals{context, SIGTERM, SIGINT};
  std::atomic<bool> stopping{false};
  std::atomic<int> in_flight{0};
  metrics::Registry& registry = metrics::DefaultRegistry();

  Impl(ServerOptions o, Router r) : options(std::move(o)), router(std::move(r)) {}

  asio::awaitable<void> Accept() {
    while (!stopping) {
      beast::error_code ec;
      tcp::socket socket =
          co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (stopping) break;
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      asio::co_spawn(acceptor.get_executor(), Session(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<Response> Dispatch(Request& request) {
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
    try {
      co_return co_await (*match->handler)(request);
    } catch (const std::exception& e) {
      log::Error(
          "unhandled exception in handler",
          {{"request_id", request.request_id}, {"route", request.route}, {"what", e.what()}});
    }
    co_return Response::Problem(Error::Internal());
  }

  void Record(const Request& request, const Response& response,
              std::chrono::steady_clock::time_point started) {
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const std::string& route = request.route.empty() ? std::string("unmatched") : request.route;
    registry
        .GetCounter("http_requests_total", "HTTP requests by route, method and status",
                    {{"route", route},
                     {"method", request.method},
                     {"status", std::to_string(response.status)}})
        .Inc();
    registry
        .GetHistogram("http_request_duration_seconds", "HTTP request latency by route",
                      {{"route", route}})
        .Observe(seconds);
    if (options.access_log) {
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
                                      bool head_request, beast::error_code& ec) {
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

  asio::awaitable<void> Session(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    std::string remote;
    {
      beast::error_code ec;
      auto endpoint = stream.socket().remote_endpoint(ec);
      if (!ec) remote = endpoint.address().to_string();
    }
    while (!stopping) {
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
      if (!ec) {
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
      Response response;
      ++in_flight;
      if (ec == bhttp::error::body_limit) {
        response = Response::Problem(Error::PayloadTooLarge("request body exceeds 64 KiB"));
        close_after = true;
      } else if (ec) {
        response = Response::Problem(Error::Validation("malformed HTTP request"));
        close_after = true;
      }
      auto& message = parser.get();
      auto incoming_id = message["X-Request-Id"];
      request.request_id = IsSaneRequestId(std::string_view(incoming_id.data(), incoming_id.size()))
                               ? std::string(incoming_id)
                               : NewUuidV7();
      if (parser.is_header_done()) {
        request.method = std::string(message.method_string());
        request.target = std::string(message.target());
        auto q = request.target.find('?');
        request.path = request.target.substr(0, q);
        if (q != std::string::npos) request.query = request.target.substr(q + 1);
      }
      if (!ec) {
        for (const auto& field : message) {
          auto name = field.name_string();
          request.headers.emplace_back(LowerCase(std::string_view(name.data(), name.size())),
                                       std::string(field.value()));
        }
        request.body = std::move(message.body());
        response = co_await Dispatch(request);
      }
      bool keep_alive = !close_after && !ec && message.keep_alive() && !stopping;
      bool head = message.method() == bhttp::verb::head;
      beast::error_code write_ec;
      Record(request, response, started);
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
    asio::steady_timer timer(context);
    auto deadline = std::chrono::steady_clock::now() + options.shutdown_grace;
    while (in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
      timer.expires_after(std::chrono::milliseconds(10));
      beast::error_code ec;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    log::Info("shutdown complete", {{"unfinished_requests", in_flight.load()}});
    context.stop();
  }

  void BeginShutdown() {
    if (stopping.exchange(true)) return;
    log::Info("shutting down: no longer accepting connections");
    beast::error_code ec;
    acceptor.close(ec);
    asio::co_spawn(context, DrainThenStop(), asio::detached);
  }
};

HttpServer::HttpServer(ServerOptions options, Router router)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(router))) {}

HttpServer::~HttpServer() = default;

asio::io_context& HttpServer::Context() { return impl_->context; }

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
  asio::co_spawn(impl_->context, impl_->Accept(), asio::detached);
  std::vector<std::thread> threads;
  for (int i = 1; i < impl_->options.threads; ++i) {
    threads.emplace_back([this] { impl_->context.run(); });
  }
  impl_->context.run();
  for (auto& t : threads) t.join();
}

void HttpServer::Shutdown() {
  asio::post(impl_->context, [this] { impl_->BeginShutdown(); });
}

}  // namespace platform::http
