#pragma once
// Redis client on hiredis's async API: one pipelined connection driven by the client's own
// Asio event loop thread; coroutines on any executor await replies; reconnects by itself.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without including it
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "platform/error.hpp"
#include "platform/redis/address.hpp"

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

// Command: the arguments of one command, binary safe (a value may hold NUL bytes).
using Command = std::vector<std::string>;

// Client: Redis is a cache and never the source of truth, so a broken, slow or unreachable
// Redis is an Error::Unavailable the caller may degrade on. While disconnected, calls fail fast
// (no waiting for a connect) and the client reconnects in the background with back-off.
//
// All hiredis work happens on the client's own thread; Execute may be awaited from any
// executor and resumes the caller on its own executor. Commands of all callers share one
// connection in order (pipelining), so a single Redis round trip serves many callers.
// Pub/sub and blocking commands (SUBSCRIBE, BLPOP, ...) are not supported.
class Client {
 public:
  // `connections` is accepted for source compatibility and ignored: one pipelined connection
  // outperforms a pool of blocking ones. `timeout` bounds each Execute (and each connect);
  // a call that exceeds it fails and, since replies are ordered, drops the connection.
  // The host name is resolved on the client's thread at each (re)connect.
  Client(std::string host, int port, int connections = 2,
         std::chrono::milliseconds timeout = std::chrono::milliseconds(250));
  // Through Sentinels when `address` names them (see address.hpp).
  explicit Client(Address address, int connections = 2,
                  std::chrono::milliseconds timeout = std::chrono::milliseconds(250));
  // Fails calls still in flight with Unavailable, then stops and joins the client's thread.
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends the commands as one pipeline and returns one reply per command. A Redis error reply
  // to any command makes the whole call Error::Internal (logged without arguments).
  boost::asio::awaitable<Result<std::vector<Reply>>> Execute(std::vector<Command> commands);
  boost::asio::awaitable<Result<Reply>> Execute1(Command command);

  // True when the last call succeeded and the connection has not been lost since (readiness
  // without a round trip).
  bool LastCallSucceeded() const;
  // PING; readiness must notice a recovered Redis, so while disconnected it connects at once
  // instead of waiting for the back-off.
  boost::asio::awaitable<bool> Ping();

 private:
  struct Impl;
  boost::asio::awaitable<Result<std::vector<Reply>>> Submit(std::vector<Command> commands,
                                                            bool connect_now);

  std::unique_ptr<Impl> impl_;
};

}  // namespace platform::redis
