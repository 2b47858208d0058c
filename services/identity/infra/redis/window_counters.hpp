#pragma once
// WindowCounters: fixed-window counters in memory, the throttles' floor when Redis is away.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace identity::infra {

// WindowCounters: each key counts events in a window that starts at its first event (as the
// Redis counters do with EXPIRE NX). Bounded: expired windows are dropped as keys arrive, and
// at max_keys the window closest to its end goes first (it would have reset soonest anyway).
// Thread-safe.
class WindowCounters {
 public:
  using Clock = std::chrono::steady_clock;

  // Count: events in the key's window and whole seconds (>= 1) until it ends; 0/0 when none.
  struct Count {
    std::int64_t events = 0;
    std::int64_t seconds_left = 0;
  };

  explicit WindowCounters(std::size_t max_keys = 100000) : max_keys_(max_keys) {}

  Count Get(const std::string& key, Clock::time_point now);
  // Adds one event, opening a window of `window` when the key has none.
  Count Add(const std::string& key, std::chrono::seconds window, Clock::time_point now);
  std::size_t Size();

 private:
  struct Window {
    std::int64_t events = 0;
    Clock::time_point ends;
  };
  static Count Of(const Window& w, Clock::time_point now);
  void MakeRoom(Clock::time_point now);

  std::size_t max_keys_;
  std::mutex mutex_;
  std::unordered_map<std::string, Window> windows_;
  std::size_t adds_since_sweep_ = 0;
};

}  // namespace identity::infra
