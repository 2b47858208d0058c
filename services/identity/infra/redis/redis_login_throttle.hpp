#pragma once
// RedisLoginThrottle: fixed windows of failed password checks per email and per address
// (15 minutes) and of registrations per address (an hour), in Redis with a floor in memory.

#include "app/ports.hpp"
#include "infra/redis/window_counters.hpp"
#include "platform/redis/client.hpp"

namespace identity::infra {

// LoginLimits: API.md's limits.
struct LoginLimits {
  int per_email = 10;
  int per_client = 100;
  std::chrono::seconds window{15 * 60};
  int registrations_per_client = 300;  // TODO_REGISTER_PER_HOUR
  std::chrono::seconds registration_window{3600};
};

// RedisLoginThrottle: Redis counters are shared by every replica and expire with their window
// (Redis TTL), so nothing sweeps them. Every event is also counted in this process's memory,
// and a check takes the larger of the two counts: while Redis is down (or after it restarted
// empty) the throttle still holds with what this process saw, so it never fails open.
class RedisLoginThrottle : public app::LoginThrottle {
 public:
  using Clock = std::function<WindowCounters::Clock::time_point()>;

  RedisLoginThrottle(platform::redis::Client& redis, LoginLimits limits, Clock clock = nullptr);

  app::Async<void> Check(std::string email, std::string client) override;
  app::Async<void> RecordFailure(std::string email, std::string client) override;
  app::Async<void> AdmitRegistration(std::string client) override;

 private:
  platform::redis::Client& redis_;
  LoginLimits limits_;
  Clock clock_;
  WindowCounters memory_;
};

}  // namespace identity::infra
