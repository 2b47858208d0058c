#pragma once
// Redis client on hiredis: a few blocking connections driven from a small worker pool so that
// coroutines await replies without blocking the event loop; reconnects by itself.

#include <hiredis/hiredis.h>

#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "platform/error.hpp"
#include "platform/offload.hpp"

namespace platform::redis {

// Reply: one Redis reply, copied out of hiredis so it outlives the connection.
struct Reply {
  enum class Type { kNil, kString, kInteger, kArray, kStatus };
  Type type = Type::kNil;
  std::string text;
  std::int64_t integer = 0;
  std::vector<Reply> elements;

  bool IsNil() const { return type == Type::kNil; }
};

using Command = std::vector<std::string>;

// Client: Redis is a cache and never the source of truth, so every failure is an
// Error::Unavailable the caller may degrade on; after a failure, calls fail fast for a short
// back-off instead of each waiting for a connect timeout.
class Client {
 public:
  Client(std::string host, int port, int connections = 2,
         std::chrono::milliseconds timeout = std::chrono::milliseconds(250));
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends the commands as one pipeline and returns one reply per command.
  Result<std::vector<Reply>> ExecuteBlocking(const std::vector<Command>& commands);

  boost::asio::awaitable<Result<std::vector<Reply>>> Execute(std::vector<Command> commands) {
    return Offload(workers_,
                   [this, commands = std::move(commands)] { return ExecuteBlocking(commands); });
  }
  boost::asio::awaitable<Result<Reply>> Execute1(Command command);

  // True when the last command succeeded (readiness without a round trip).
  bool LastCallSucceeded() const { return healthy_.load(); }
  boost::asio::awaitable<bool> Ping();

 private:
  struct ContextDeleter {
    void operator()(redisContext* c) const { redisFree(c); }
  };
  using ContextPtr = std::unique_ptr<redisContext, ContextDeleter>;
  Result<ContextPtr> Connect();
  ContextPtr Take();
  void Give(ContextPtr context);

  std::string host_;
  int port_;
  std::chrono::milliseconds timeout_;
  boost::asio::thread_pool workers_;
  std::mutex mutex_;
  std::vector<ContextPtr> idle_;
  std::atomic<bool> healthy_{true};
  std::atomic<std::int64_t> retry_after_ms_{0};
};

}  // namespace platform::redis
