#pragma once
// HttpServer: Boost.Beast on Asio coroutines with request ids, limits, timeouts, access log,
// metrics and graceful shutdown.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "platform/http/client_address.hpp"
#include "platform/http/router.hpp"

namespace boost::asio {
class io_context;
}

namespace platform::http {

// ServerOptions: where to listen and the limits every connection obeys.
struct ServerOptions {
  std::string address = "127.0.0.1";
  int port = 8080;
  int threads = 2;
  std::size_t body_limit = 64 * 1024;
  std::chrono::seconds read_timeout{10};
  std::chrono::seconds idle_timeout{30};
  std::chrono::seconds shutdown_grace{9};
  bool access_log = true;
  // Peers whose X-Forwarded-For names the client (TODO_TRUSTED_PROXIES); none by default.
  TrustedProxies trusted_proxies;
  // Probed many times a second by orchestrators: counted in metrics, not written to the log.
  std::vector<std::string> unlogged_routes = {"/healthz", "/readyz", "/metrics"};
  // Called once when a graceful shutdown begins: whatever holds a response open without
  // writing (a live stream waiting for events) is woken to see StreamWriter::Stopping().
  std::function<void()> on_shutdown;
};

// HttpServer: serves a Router until SIGTERM/SIGINT, then stops accepting, lets in-flight
// requests finish (up to shutdown_grace) and returns from Run().
class HttpServer {
 public:
  HttpServer(ServerOptions options, Router router);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  boost::asio::io_context& Context();
  // Binds now so that a taken port fails start-up, not the first request.
  void Listen();
  // Runs the event loop on options.threads threads until shutdown completes.
  void Run();
  // Starts a graceful shutdown from any thread.
  void Shutdown();
  // The port actually bound (useful with port 0 in tests).
  int BoundPort() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace platform::http
