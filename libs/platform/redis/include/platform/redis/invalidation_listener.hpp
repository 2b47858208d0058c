#pragma once
// InvalidationListener: Redis client-side caching (CLIENT TRACKING in broadcast mode) for an
// in-process copy of keys under some prefixes: it reports which keys changed, and answers
// whether every change Redis has announced so far has been applied to the copy.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

struct redisContext;  // NOLINT(readability-identifier-naming): hiredis names it

#include "platform/redis/address.hpp"

namespace platform::redis {

class InvalidationListener {
 public:
  using KeysChanged = std::function<void(const std::vector<std::string>&)>;
  using AllChanged = std::function<void()>;

  // on_keys runs on the listener's thread for each announcement; on_all runs when the copy
  // can no longer be trusted as a whole (connection lost or made, FLUSHALL).
  InvalidationListener(std::string host, int port, std::vector<std::string> prefixes,
                       KeysChanged on_keys, AllChanged on_all);
  // Through Sentinels when `address` names them (the master is asked for at every connect).
  InvalidationListener(Address address, std::vector<std::string> prefixes, KeysChanged on_keys,
                       AllChanged on_all);
  ~InvalidationListener();
  InvalidationListener(const InvalidationListener&) = delete;
  InvalidationListener& operator=(const InvalidationListener&) = delete;

  void Start();
  void Stop();

  // True when the copy is current: subscribed, not in the middle of applying an announcement,
  // and no announcement waits unread on the socket. Redis queues a change's announcement
  // before it answers the writer, so a change whose write has been answered is never missed
  // (except FLUSHALL/FLUSHDB, whose notice Redis 7.0 may send after the reply).
  // Costs one poll(2) of the socket, no round trip.
  bool Current() const;

  // A mark taken before reading a key from Redis; CurrentSince(mark) is true when nothing was
  // announced since and the copy is current, so the value read may be copied in.
  std::uint64_t Mark() const { return sequence_.load(std::memory_order_acquire); }
  bool CurrentSince(std::uint64_t mark) const;

  // Announcements applied so far (for tests and metrics).
  std::uint64_t Applied() const { return applied_.load(std::memory_order_relaxed); }

 private:
  void Loop();
  bool Subscribe(::redisContext* c);
  void Listen(::redisContext* c);
  void Lose();

  Address address_;
  std::vector<std::string> prefixes_;
  KeysChanged on_keys_;
  AllChanged on_all_;
  // Odd while an announcement is being read or applied, or while (re)connecting; every change
  // of state moves it on, so a reader that sees the same even value twice saw nothing happen.
  std::atomic<std::uint64_t> sequence_{1};
  std::atomic<int> fd_{-1};
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> applied_{0};
  std::thread thread_;
};

}  // namespace platform::redis
