#pragma once
// UserRateLimit: per-user token buckets, in process, applied to handlers after authentication.

#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "platform/config.hpp"
#include "platform/http/message.hpp"

namespace platform::http {

// UserRateLimitOptions: TODO_RATE_PER_USER requests/s with a burst of TODO_RATE_BURST; a
// per_second of 0 turns the limit off. max_users bounds the buckets tracked at once.
struct UserRateLimitOptions {
  double per_second = 50;
  double burst = 500;
  std::size_t max_users = 100000;
};

// Declares and reads TODO_RATE_PER_USER, TODO_RATE_BURST and TODO_RATE_MAX_USERS.
UserRateLimitOptions ReadUserRateLimitOptions(Config& config);

// UserRateLimit: one bucket per user id, kept per process (each replica limits on its own).
// Memory is bounded: a bucket idle long enough to be full again is forgotten (a fresh bucket is
// the same thing), and at max_users the least recently used bucket goes. That one has been idle
// the longest and so has refilled the most; a user being limited is active and stays tracked,
// so the cap neither frees a limited user nor turns anyone away.
class UserRateLimit {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  explicit UserRateLimit(UserRateLimitOptions options, Clock clock = nullptr);
  UserRateLimit(const UserRateLimit&) = delete;
  UserRateLimit& operator=(const UserRateLimit&) = delete;

  bool Enabled() const { return options_.per_second > 0; }
  // Takes one token of the user's bucket: 0 when the request may go on, otherwise the whole
  // seconds (>= 1) until a token is there again.
  int Take(std::string_view user_id);
  // Wraps a handler that runs behind AuthGuard (Request::subject is set): 429 rate-limited
  // with Retry-After once the user's bucket is empty.
  Handler Limit(Handler inner);
  // Buckets tracked now (for tests and metrics).
  std::size_t Tracked();

 private:
  struct Bucket {
    std::string user;
    double tokens = 0;
    std::chrono::steady_clock::time_point last;
  };
  // Shard: most recently used first; the index's keys point into the list's nodes.
  struct Shard {
    std::mutex mutex;
    std::list<Bucket> recent;
    std::unordered_map<std::string_view, std::list<Bucket>::iterator> index;
  };
  static constexpr std::size_t kShards = 16;

  double Refilled(const Bucket& bucket, std::chrono::steady_clock::time_point now) const;
  void Forget(Shard& shard, std::list<Bucket>::iterator it);

  UserRateLimitOptions options_;
  Clock clock_;
  std::size_t per_shard_;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace platform::http
