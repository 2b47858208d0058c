#pragma once
// RedisLoginThrottle: fixed 15-minute windows of failed logins per email and per address.

#include "app/ports.hpp"
#include "platform/redis/client.hpp"

namespace identity::infra {

// LoginLimits: API.md's limits.
struct LoginLimits {
  int per_email = 10;
  int per_client = 100;
  std::chrono::seconds window{15 * 60};
};

// RedisLoginThrottle: counters expire with their window (Redis TTL), so nothing sweeps them.
class RedisLoginThrottle : public app::LoginThrottle {
 public:
  RedisLoginThrottle(platform::redis::Client& redis, LoginLimits limits)
      : redis_(redis), limits_(limits) {}

  app::Async<void> Check(std::string email, std::string client) override;
  app::Async<void> RecordFailure(std::string email, std::string client) override;

 private:
  platform::redis::Client& redis_;
  LoginLimits limits_;
};

}  // namespace identity::infra
