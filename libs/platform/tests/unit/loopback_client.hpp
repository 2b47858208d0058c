#pragma once
// Test-only: an HTTP server on a free loopback port, and an HTTP/1.1 client on a plain loopback
// socket, shared by the server tests.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "platform/http/server.hpp"

namespace platform::testing {

using Clock = std::chrono::steady_clock;

// A blocking loopback socket with a 5 s receive timeout, connected to `port` (or not: see
// `connected`).
inline int ConnectLoopback(int port, bool& connected) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  connected = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  return fd;
}

// ServerUnderTest: an HttpServer on a port the kernel picks, run on a thread of its own.
class ServerUnderTest {
 public:
  static platform::http::ServerOptions Options() {
    platform::http::ServerOptions options;
    options.port = 0;
    options.threads = 2;
    options.access_log = false;
    return options;
  }
  void Start(platform::http::Router router, platform::http::ServerOptions options = Options()) {
    server_ = std::make_unique<platform::http::HttpServer>(options, std::move(router));
    server_->Listen();
    port_ = server_->BoundPort();
    runner_ = std::async(std::launch::async, [this] { server_->Run(); });
  }
  // Starts a graceful shutdown (no wait).
  void Shutdown() { server_->Shutdown(); }
  // True once Run has returned, waiting at most `within`.
  bool WaitStopped(std::chrono::milliseconds within) {
    return runner_.wait_for(within) == std::future_status::ready;
  }
  // Shuts down and waits; false when Run did not return within 10 s.
  bool Stop() {
    if (!server_) return true;
    server_->Shutdown();
    return WaitStopped(std::chrono::seconds(10));
  }
  bool Started() const { return server_ != nullptr; }
  int port() const { return port_; }

 private:
  std::unique_ptr<platform::http::HttpServer> server_;
  std::future<void> runner_;
  int port_ = 0;
};

// LoopbackClient: a blocking socket client (receive timeout 5 s) speaking just enough
// HTTP/1.1 to test the server from outside.
class LoopbackClient {
 public:
  explicit LoopbackClient(int port) { fd_ = ConnectLoopback(port, connected_); }
  ~LoopbackClient() { ::close(fd_); }
  LoopbackClient(const LoopbackClient&) = delete;
  LoopbackClient& operator=(const LoopbackClient&) = delete;

  bool Connected() const { return connected_; }

  // False when the peer no longer takes data (closed or reset).
  bool Send(const std::string& data) const {
    std::size_t sent = 0;
    while (sent < data.size()) {
      auto n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  // Reads one response (headers + Content-Length body); empty when the connection ended first.
  std::string ReadResponse() {
    while (buffer_.find("\r\n\r\n") == std::string::npos) {
      if (!Fill()) return std::exchange(buffer_, "");
    }
    auto header_end = buffer_.find("\r\n\r\n") + 4;
    std::size_t length = 0;
    auto pos = buffer_.find("Content-Length: ");
    if (pos != std::string::npos && pos < header_end) length = std::stoul(buffer_.substr(pos + 16));
    while (buffer_.size() < header_end + length) {
      if (!Fill()) break;
    }
    std::string response = buffer_.substr(0, header_end + length);
    buffer_.erase(0, header_end + length);
    return response;
  }

  // Waits until the server ends the connection (recv gives 0, or a reset) or the deadline
  // passes. Returns how long it took, or nothing when the connection was still open.
  // Bytes that arrive meanwhile are kept in `received`.
  std::optional<Clock::duration> WaitForClose(Clock::time_point started, Clock::duration limit) {
    auto deadline = started + limit;
    while (Clock::now() < deadline) {
      char chunk[4096];
      auto n = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (n == 0) return Clock::now() - started;
      if (n > 0) {
        received.append(chunk, static_cast<std::size_t>(n));
        continue;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
      return Clock::now() - started;  // ECONNRESET and friends: closed as well
    }
    return std::nullopt;
  }

  std::string received;

 private:
  bool Fill() {
    char chunk[4096];
    auto n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }
  int fd_;
  bool connected_ = false;
  std::string buffer_;
};

}  // namespace platform::testing
