#include "platform/redis/invalidation_listener.hpp"

#include <hiredis/hiredis.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <string_view>

#include "platform/log.hpp"

namespace platform::redis {
namespace {

constexpr std::chrono::milliseconds kFirstBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{2000};
constexpr std::string_view kChannel = "__redis__:invalidate";

struct ReplyFree {
  void operator()(redisReply* r) const {
    if (r != nullptr) freeReplyObject(r);
  }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyFree>;

struct ContextFree {
  void operator()(redisContext* c) const {
    if (c != nullptr) redisFree(c);
  }
};
using ContextPtr = std::unique_ptr<redisContext, ContextFree>;

ReplyPtr Run(redisContext* c, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  return ReplyPtr(static_cast<redisReply*>(
      redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lengths.data())));
}

}  // namespace

InvalidationListener::InvalidationListener(std::string host, int port,
                                           std::vector<std::string> prefixes, KeysChanged on_keys,
                                           AllChanged on_all)
    : InvalidationListener(ServerAddress(std::move(host), port), std::move(prefixes),
                           std::move(on_keys), std::move(on_all)) {}

InvalidationListener::InvalidationListener(Address address, std::vector<std::string> prefixes,
                                           KeysChanged on_keys, AllChanged on_all)
    : address_(std::move(address)),
      prefixes_(std::move(prefixes)),
      on_keys_(std::move(on_keys)),
      on_all_(std::move(on_all)) {}

InvalidationListener::~InvalidationListener() { Stop(); }

void InvalidationListener::Start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void InvalidationListener::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

bool InvalidationListener::Current() const {
  std::uint64_t before = sequence_.load(std::memory_order_acquire);
  if ((before & 1) != 0) return false;
  int fd = fd_.load(std::memory_order_acquire);
  if (fd < 0) return false;
  pollfd p{fd, POLLIN, 0};
  // Readable, hung up or invalid (closed meanwhile): in every case something is unapplied.
  if (::poll(&p, 1, 0) != 0) return false;
  return sequence_.load(std::memory_order_acquire) == before;
}

bool InvalidationListener::CurrentSince(std::uint64_t mark) const {
  return (mark & 1) == 0 && Current() && sequence_.load(std::memory_order_acquire) == mark;
}

bool InvalidationListener::Subscribe(redisContext* c) {
  auto id = Run(c, {"CLIENT", "ID"});
  if (!id || id->type != REDIS_REPLY_INTEGER) return false;
  // Broadcast mode: every change under the prefixes is announced, whoever made it, so the
  // copy needs no per-key registration. The announcements come to this same connection
  // (RESP2 needs a redirect, and a subscribed connection may be its own target).
  std::vector<std::string> tracking{
      "CLIENT", "TRACKING", "on", "REDIRECT", std::to_string(id->integer), "BCAST"};
  for (const auto& prefix : prefixes_) {
    tracking.emplace_back("PREFIX");
    tracking.push_back(prefix);
  }
  auto on = Run(c, tracking);
  if (!on || on->type != REDIS_REPLY_STATUS) {
    if (on && on->type == REDIS_REPLY_ERROR) {
      log::Error("redis refused client tracking", {{"error", std::string_view(on->str, on->len)}});
    }
    return false;
  }
  auto subscribed = Run(c, {"SUBSCRIBE", std::string(kChannel)});
  return subscribed && subscribed->type == REDIS_REPLY_ARRAY;
}

void InvalidationListener::Listen(redisContext* c) {
  while (!stopping_) {
    pollfd p{c->fd, POLLIN, 0};
    int ready = ::poll(&p, 1, 100);  // Stop() is noticed within 100 ms
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return;
    if (ready == 0) continue;
    sequence_.fetch_add(1, std::memory_order_acq_rel);  // odd: applying
    if (redisBufferRead(c) != REDIS_OK) return;
    for (;;) {
      void* raw = nullptr;
      if (redisGetReplyFromReader(c, &raw) != REDIS_OK) return;
      if (raw == nullptr) break;
      ReplyPtr reply(static_cast<redisReply*>(raw));
      // ["message", channel, [keys...]] or a nil payload when the whole database was flushed.
      if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3 ||
          std::string_view(reply->element[0]->str, reply->element[0]->len) != "message") {
        continue;
      }
      const redisReply* payload = reply->element[2];
      if (payload->type == REDIS_REPLY_ARRAY) {
        std::vector<std::string> keys;
        keys.reserve(payload->elements);
        for (std::size_t i = 0; i < payload->elements; ++i) {
          keys.emplace_back(payload->element[i]->str, payload->element[i]->len);
        }
        on_keys_(keys);
      } else {
        on_all_();
      }
      applied_.fetch_add(1, std::memory_order_relaxed);
    }
    sequence_.fetch_add(1, std::memory_order_acq_rel);  // even: current again
  }
}

void InvalidationListener::Lose() {
  if ((sequence_.load(std::memory_order_acquire) & 1) == 0) {
    sequence_.fetch_add(1, std::memory_order_acq_rel);
  }
  fd_.store(-1, std::memory_order_release);
  on_all_();
}

void InvalidationListener::Loop() {
  auto backoff = kFirstBackoff;
  bool reported = false;
  while (!stopping_) {
    timeval timeout{1, 0};
    auto server = ResolveServer(address_, std::chrono::seconds(1));
    ContextPtr c(server ? redisConnectWithTimeout(server->host.c_str(), server->port, timeout)
                        : nullptr);
    if (c && c->err == 0) redisSetTimeout(c.get(), timeout);
    if (c && c->err == 0 && Subscribe(c.get())) {
      backoff = kFirstBackoff;
      reported = false;
      // Whatever was copied while no announcement could arrive may be stale.
      on_all_();
      fd_.store(c->fd, std::memory_order_release);
      sequence_.fetch_add(1, std::memory_order_acq_rel);  // even: current
      Listen(c.get());
      Lose();
      if (stopping_) break;
    } else if (!reported) {
      log::Warn("redis invalidations unavailable; the in-process copy is bypassed",
                {{"error", !server ? std::string_view(server.error().detail)
                           : c     ? std::string_view(c->errstr)
                                   : std::string_view("no memory")}});
      reported = true;
    }
    c.reset();
    // Back-off between attempts, in short steps so that Stop() is not held up.
    auto until = std::chrono::steady_clock::now() + backoff;
    while (!stopping_ && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
}

}  // namespace platform::redis
