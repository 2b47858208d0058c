#include "platform/http/user_rate_limit.hpp"

#include <algorithm>
#include <cmath>

#include "platform/metrics.hpp"

namespace platform::http {

UserRateLimitOptions ReadUserRateLimitOptions(Config& config) {
  UserRateLimitOptions o;
  o.per_second = static_cast<double>(config.Integer(
      "TODO_RATE_PER_USER", 50, 0, 1000000,
      "requests per second per user on authenticated endpoints, per process (0: off)"));
  o.burst = static_cast<double>(config.Integer("TODO_RATE_BURST", 500, 1, 100000000,
                                               "requests a user may send at once before the "
                                               "per-second rate applies"));
  o.max_users = static_cast<std::size_t>(
      config.Integer("TODO_RATE_MAX_USERS", 100000, 16, 100000000,
                     "users whose request rate is tracked at once (least recent go first)"));
  return o;
}

UserRateLimit::UserRateLimit(UserRateLimitOptions options, Clock clock)
    : options_(options),
      clock_(clock ? std::move(clock) : [] { return std::chrono::steady_clock::now(); }),
      per_shard_(std::max<std::size_t>(1, (options.max_users + kShards - 1) / kShards)),
      shards_(std::make_unique<Shard[]>(kShards)) {}

double UserRateLimit::Refilled(const Bucket& bucket,
                               std::chrono::steady_clock::time_point now) const {
  double idle = std::chrono::duration<double>(now - bucket.last).count();
  return std::min(options_.burst, bucket.tokens + std::max(0.0, idle) * options_.per_second);
}

void UserRateLimit::Forget(Shard& shard, std::list<Bucket>::iterator it) {
  shard.index.erase(std::string_view(it->user));
  shard.recent.erase(it);
}

int UserRateLimit::Take(std::string_view user_id) {
  if (!Enabled()) return 0;
  auto now = clock_();
  Shard& shard = shards_[std::hash<std::string_view>{}(user_id) % kShards];
  std::lock_guard lock(shard.mutex);
  // The least recent buckets that are full again are the same as no bucket: forget them.
  while (!shard.recent.empty() && Refilled(shard.recent.back(), now) >= options_.burst) {
    Forget(shard, std::prev(shard.recent.end()));
  }
  Bucket* bucket = nullptr;
  if (auto found = shard.index.find(user_id); found != shard.index.end()) {
    shard.recent.splice(shard.recent.begin(), shard.recent, found->second);
    bucket = &*found->second;
    bucket->tokens = Refilled(*bucket, now);
    bucket->last = now;
  } else {
    if (shard.index.size() >= per_shard_) {
      static auto& evicted = metrics::DefaultRegistry().GetCounter(
          "http_rate_limit_evictions_total",
          "Per-user rate buckets dropped before they were full again (too many users at once)");
      evicted.Inc();
      Forget(shard, std::prev(shard.recent.end()));
    }
    shard.recent.push_front(Bucket{std::string(user_id), options_.burst, now});
    shard.index.emplace(std::string_view(shard.recent.front().user), shard.recent.begin());
    bucket = &shard.recent.front();
  }
  if (bucket->tokens >= 1) {
    bucket->tokens -= 1;
    return 0;
  }
  double wait = std::ceil((1 - bucket->tokens) / options_.per_second);
  return static_cast<int>(std::clamp(wait, 1.0, 86400.0));
}

std::size_t UserRateLimit::Tracked() {
  std::size_t n = 0;
  for (std::size_t i = 0; i < kShards; ++i) {
    std::lock_guard lock(shards_[i].mutex);
    n += shards_[i].index.size();
  }
  return n;
}

namespace {

boost::asio::awaitable<Response> Refused(int wait) {
  static auto& limited = metrics::DefaultRegistry().GetCounter(
      "http_rate_limited_total", "Requests refused by the per-user rate limit");
  limited.Inc();
  co_return Response::Problem(
      Error::RateLimited("too many requests; slow down and retry after the given time", wait));
}

}  // namespace

Handler UserRateLimit::Limit(Handler inner) {
  if (!Enabled()) return inner;
  // Not a coroutine itself: a request within its limit goes on to the inner handler's own
  // awaitable, without a frame of this wrapper's on the hot path.
  return [this, inner = std::move(inner)](Request& request) -> boost::asio::awaitable<Response> {
    if (int wait = Take(request.subject); wait > 0) return Refused(wait);
    return inner(request);
  };
}

}  // namespace platform::http
