#include "platform/redis/client.hpp"

#include <hiredis/async.h>
#include <pthread.h>
#include <csignal>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <functional>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>

#include "asio_adapter.hpp"
#include "platform/log.hpp"
#include "platform/try.hpp"

namespace platform::redis {
namespace {

using Replies = std::vector<Reply>;
using Completion = std::move_only_function<void(Result<Replies>)>;

constexpr std::chrono::milliseconds kFirstBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{2000};

Error Unavailable() { return Error::Unavailable("cache unavailable"); }

Reply Convert(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::kString;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::kStatus;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::kArray;
      out.elements.reserve(r->elements);
      for (std::size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
      break;
    default:
      out.type = Reply::Type::kNil;
  }
  return out;
}

// The error code of an error reply ("ERR", "WRONGTYPE"): the rest of the message may quote
// arguments (unknown command errors do), which may be tokens.
std::string_view ErrorCode(const redisReply* r) {
  std::string_view text(r->str, r->len);
  return text.substr(0, std::min(text.find(' '), std::size_t{32}));
}

// Batch: one Execute call in flight; lives until hiredis has run its last reply callback.
struct Batch {
  explicit Batch(boost::asio::io_context& io) : deadline(io) {}

  Replies replies;
  std::vector<std::string> names;  // command names, for error logs that must not show args
  std::size_t expected = 0;
  std::size_t outstanding = 0;  // reply callbacks hiredis still holds
  bool done = false;
  bool command_error = false;
  boost::asio::steady_timer deadline;
  Completion complete;
};

}  // namespace

// Impl: the connection state; touched only on `thread` except for `healthy`.
struct Client::Impl {
  Impl(Address address_in, std::chrono::milliseconds timeout_in)
      : work(io.get_executor()),
        address(std::move(address_in)),
        host(address.server.host),
        port(address.server.port),
        timeout(timeout_in),
        connect_timer(io),
        reconnect_timer(io) {}

  void Start() {
    thread = std::thread([this] {
      // hiredis writes with write(2): a peer that went away raises SIGPIPE, which blocked here
      // stays pending on this thread instead of killing the process. Blocking the rest keeps
      // process signals (SIGTERM) for the application's threads.
      sigset_t all;
      sigfillset(&all);
      pthread_sigmask(SIG_BLOCK, &all, nullptr);
      io.run();
    });
    boost::asio::post(io, [this] { Connect(); });
  }

  void Stop() {
    boost::asio::post(io, [this] { Shutdown(); });
    work.reset();
    thread.join();
  }

  // --- on the loop thread ---

  void Connect() {
    ++generation;
    // Through Sentinels, the master is asked for at every connect: after a failover the old
    // one is gone or a replica, and the new one is what they name.
    auto server = ResolveServer(address, timeout);
    if (!server) return Lost(server.error().detail);
    host = server->host;
    port = server->port;
    redisAsyncContext* c = redisAsyncConnect(host.c_str(), port);
    if (c == nullptr) return Lost("out of memory");
    if (c->err != 0) {
      std::string why = c->errstr;
      redisAsyncFree(c);
      return Lost(why);
    }
    if (!detail::AttachAsio(c, io)) {
      redisAsyncFree(c);
      return Lost("cannot watch the socket");
    }
    c->data = this;
    redisAsyncSetConnectCallback(c, &Impl::OnConnect);
    redisAsyncSetDisconnectCallback(c, &Impl::OnDisconnect);
    context = c;
    connected = false;
    // hiredis completes a connect on the first write event and asks for none by itself.
    c->ev.addWrite(c->ev.data);
    // 0.14 has no connect timeout; an unanswered SYN would otherwise hold the slot forever.
    connect_timer.expires_after(timeout);
    connect_timer.async_wait([this, g = generation](const boost::system::error_code& ec) {
      if (!ec && g == generation && context != nullptr && !connected) Drop("connect timed out");
    });
  }

  static void OnConnect(const redisAsyncContext* c, int status) {
    auto* self = static_cast<Impl*>(c->data);
    if (c != self->context) return;
    if (status != REDIS_OK) {
      // hiredis frees the context right after this callback.
      self->context = nullptr;
      return self->Lost(c->errstr);
    }
    self->connected = true;
    self->connect_timer.cancel();
    // Back-off and the outage end with the first reply, not here: a server that accepts but
    // never answers (stopped, overloaded) must not be reconnected to in a tight loop.
    if (!self->ever_connected) {
      self->ever_connected = true;
      log::Info("redis connected", {{"host", self->host}, {"port", self->port}});
    }
  }

  static void OnDisconnect(const redisAsyncContext* c, int status) {
    auto* self = static_cast<Impl*>(c->data);
    if (c != self->context) return;  // Drop or Shutdown freed it and handled the loss
    self->context = nullptr;
    self->Lost(status == REDIS_OK ? "connection closed" : c->errstr);
  }

  // The connection is gone (hiredis already failed its pending callbacks): reconnect later.
  void Lost(std::string_view why) {
    connected = false;
    healthy = false;
    if (shutting_down) return;
    if (!down) {
      log::Warn("redis unavailable", {{"error", why}});
      down = true;
    }
    reconnect_timer.expires_after(backoff);
    backoff = std::min(backoff * 2, kMaxBackoff);
    reconnect_timer.async_wait(
        [this, g = ++reconnect_generation](const boost::system::error_code& ec) {
          if (!ec && g == reconnect_generation && context == nullptr && !shutting_down) Connect();
        });
  }

  // Tears the connection down ourselves (timeout): freeing it fails every pending callback.
  void Drop(std::string_view why) {
    if (context == nullptr) return;
    redisAsyncContext* c = context;
    context = nullptr;
    redisAsyncFree(c);
    Lost(why);
  }

  void Submit(Completion complete, std::vector<Command> commands, bool connect_now) {
    auto batch = std::make_shared<Batch>(io);
    batch->complete = std::move(complete);
    batch->expected = commands.size();
    if (commands.empty()) return Finish(*batch, Replies{});
    for (const auto& command : commands) {
      if (command.empty()) {
        log::Error("redis command without a name");
        return Finish(*batch, std::unexpected(Error::Internal()));
      }
    }
    if (shutting_down) return Finish(*batch, std::unexpected(Unavailable()));
    if (context == nullptr && connect_now) {
      ++reconnect_generation;  // the pending back-off timer, if any, is now stale
      reconnect_timer.cancel();
      Connect();
    }
    // Fail fast while disconnected: waiting for Redis would hold the request for nothing.
    if (context == nullptr) return Finish(*batch, std::unexpected(Unavailable()));

    batch->replies.reserve(commands.size());
    batch->names.reserve(commands.size());
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    pending.emplace(batch.get(), batch);
    for (const auto& command : commands) {
      argv.clear();
      lengths.clear();
      for (const auto& arg : command) {
        argv.push_back(arg.data());
        lengths.push_back(arg.size());
      }
      // Appending while still connecting is fine: hiredis buffers until the socket is up.
      if (redisAsyncCommandArgv(context, &Impl::OnReply, batch.get(), static_cast<int>(argv.size()),
                                argv.data(), lengths.data()) != REDIS_OK) {
        break;
      }
      ++batch->outstanding;
      batch->names.push_back(command.front().substr(0, 32));
    }
    if (batch->outstanding < commands.size()) {
      Finish(*batch, std::unexpected(Unavailable()));
      if (batch->outstanding == 0) pending.erase(batch.get());
      return Drop("cannot queue a command");
    }
    batch->deadline.expires_after(timeout);
    batch->deadline.async_wait(
        [this, weak = std::weak_ptr<Batch>(batch)](const boost::system::error_code& ec) {
          auto timed_out = weak.lock();
          if (ec || !timed_out || timed_out->done) return;
          Finish(*timed_out, std::unexpected(Unavailable()));
          // Later replies are queued behind the late one: the connection is of no more use.
          Drop("timed out");
        });
  }

  static void OnReply(redisAsyncContext* c, void* raw, void* privdata) {
    static_cast<Impl*>(c->data)->HandleReply(static_cast<Batch*>(privdata),
                                             static_cast<const redisReply*>(raw));
  }

  void HandleReply(Batch* batch, const redisReply* reply) {
    --batch->outstanding;
    if (!batch->done) {
      if (reply == nullptr) {
        // The connection went down (or is being freed) with this reply outstanding.
        Finish(*batch, std::unexpected(Unavailable()));
      } else {
        Answered();
        if (reply->type == REDIS_REPLY_ERROR) {
          log::Error("redis command error", {{"command", batch->names[batch->replies.size()]},
                                             {"error", ErrorCode(reply)}});
          batch->command_error = true;
          // A master demoted by a failover answers writes with READONLY: find the new one.
          if (ErrorCode(reply) == "READONLY") {
            boost::asio::post(io, [this, g = generation] {
              if (g == generation) Drop("the server is a replica");
            });
          }
        }
        batch->replies.push_back(Convert(reply));
        if (batch->replies.size() == batch->expected) {
          if (batch->command_error) {
            Finish(*batch, std::unexpected(Error::Internal()));
          } else {
            Finish(*batch, std::move(batch->replies));
          }
        }
      }
    }
    if (batch->outstanding == 0) pending.erase(batch);
  }

  void Answered() {
    if (!down) return;
    down = false;
    backoff = kFirstBackoff;
    log::Info("redis reachable again", {{"host", host}, {"port", port}});
  }

  void Finish(Batch& batch, Result<Replies> result) {
    if (batch.done) return;
    batch.done = true;
    batch.deadline.cancel();
    healthy = result.has_value() || result.error().kind != ErrorKind::kUnavailable;
    auto complete = std::move(batch.complete);
    complete(std::move(result));
  }

  void Shutdown() {
    shutting_down = true;
    connect_timer.cancel();
    reconnect_timer.cancel();
    if (context != nullptr) {
      redisAsyncContext* c = context;
      context = nullptr;
      redisAsyncFree(c);  // runs every pending reply callback with NULL: they fail
    }
  }

  boost::asio::io_context io;  // first: destroyed after every timer and descriptor on it
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work;
  Address address;
  std::string host;  // the server connected to (or last tried)
  int port;
  std::chrono::milliseconds timeout;
  redisAsyncContext* context = nullptr;  // null while disconnected
  bool connected = false;
  bool ever_connected = false;
  bool down = false;  // an outage is logged and no reply has arrived since
  bool shutting_down = false;
  std::uint64_t generation = 0;
  std::uint64_t reconnect_generation = 0;
  std::chrono::milliseconds backoff = kFirstBackoff;
  boost::asio::steady_timer connect_timer;
  boost::asio::steady_timer reconnect_timer;
  std::unordered_map<Batch*, std::shared_ptr<Batch>> pending;
  std::atomic<bool> healthy{true};
  std::thread thread;
};

Client::Client(std::string host, int port, int connections, std::chrono::milliseconds timeout)
    : Client(ServerAddress(std::move(host), port), connections, timeout) {}

Client::Client(Address address, int /*connections*/, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>(std::move(address), timeout)) {
  impl_->Start();
}

Client::~Client() { impl_->Stop(); }

bool Client::LastCallSucceeded() const { return impl_->healthy.load(); }

boost::asio::awaitable<Result<Replies>> Client::Execute(std::vector<Command> commands) {
  return Submit(std::move(commands), false);
}

// Not a coroutine (see platform/offload.hpp for the g++ 12 bugs this avoids): the commands go
// straight into a heap box that the initiation moves onto the client's thread.
boost::asio::awaitable<Result<Replies>> Client::Submit(std::vector<Command> commands,
                                                       bool connect_now) {
  auto boxed = std::make_unique<std::vector<Command>>(std::move(commands));
  Impl* impl = impl_.get();
  return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(Result<Replies>)>(
      [impl, connect_now](auto handler, std::unique_ptr<std::vector<Command>> box) {
        auto home = boost::asio::get_associated_executor(handler);
        // Resumes the caller on its own executor, never on the client's thread.
        Completion complete = [home, handler = std::move(handler)](Result<Replies> r) mutable {
          boost::asio::post(home, [handler = std::move(handler), r = std::move(r)]() mutable {
            std::move(handler)(std::move(r));
          });
        };
        boost::asio::post(impl->io, [impl, connect_now, complete = std::move(complete),
                                     box = std::move(box)]() mutable {
          impl->Submit(std::move(complete), std::move(*box), connect_now);
        });
      },
      boost::asio::use_awaitable, std::move(boxed));
}

boost::asio::awaitable<Result<Reply>> Client::Execute1(Command command) {
  std::vector<Command> commands;
  commands.push_back(std::move(command));
  TODO_CO_TRY(auto replies, co_await Execute(std::move(commands)));
  co_return std::move(replies.front());
}

boost::asio::awaitable<bool> Client::Ping() {
  std::vector<Command> commands;
  commands.push_back(Command{"PING"});
  auto replies = co_await Submit(std::move(commands), true);
  co_return replies.has_value();
}

}  // namespace platform::redis
