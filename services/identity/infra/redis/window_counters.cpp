#include "infra/redis/window_counters.hpp"

#include <algorithm>

namespace identity::infra {

WindowCounters::Count WindowCounters::Of(const Window& w, Clock::time_point now) {
  if (w.ends <= now) return {};
  auto left = std::chrono::ceil<std::chrono::seconds>(w.ends - now).count();
  return {w.events, std::max<std::int64_t>(left, 1)};
}

WindowCounters::Count WindowCounters::Get(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto found = windows_.find(key);
  return found == windows_.end() ? Count{} : Of(found->second, now);
}

void WindowCounters::MakeRoom(Clock::time_point now) {
  // A sweep of expired windows now and then keeps the map to the live ones.
  if (++adds_since_sweep_ >= 1024 || windows_.size() >= max_keys_) {
    adds_since_sweep_ = 0;
    std::erase_if(windows_, [now](const auto& entry) { return entry.second.ends <= now; });
  }
  if (windows_.size() < max_keys_) return;
  auto soonest =
      std::min_element(windows_.begin(), windows_.end(),
                       [](const auto& a, const auto& b) { return a.second.ends < b.second.ends; });
  windows_.erase(soonest);
}

WindowCounters::Count WindowCounters::Add(const std::string& key, std::chrono::seconds window,
                                          Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto found = windows_.find(key);
  if (found == windows_.end() || found->second.ends <= now) {
    if (found == windows_.end()) MakeRoom(now);
    Window& w = windows_[key];
    w = Window{0, now + window};
    found = windows_.find(key);
  }
  ++found->second.events;
  return Of(found->second, now);
}

std::size_t WindowCounters::Size() {
  std::lock_guard lock(mutex_);
  return windows_.size();
}

}  // namespace identity::infra
