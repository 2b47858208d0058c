#include "infra/redis/redis_login_throttle.hpp"

#include <algorithm>
#include <cstdlib>

namespace identity::infra {

namespace {

std::string EmailKey(const std::string& email) { return "login:fail:email:" + email; }
std::string ClientKey(const std::string& client) { return "login:fail:client:" + client; }
std::string RegisterKey(const std::string& client) { return "register:client:" + client; }

std::int64_t CountOf(const platform::redis::Reply& r) {
  if (r.IsNil()) return 0;
  if (!r.text.empty()) return std::atoll(r.text.c_str());
  return r.integer;
}

// The larger of what Redis and this process counted, with the longer wait.
WindowCounters::Count Larger(WindowCounters::Count memory, std::int64_t redis_count,
                             std::int64_t redis_ttl) {
  return {std::max(memory.events, redis_count), std::max(memory.seconds_left, redis_ttl)};
}

platform::Error TooMany(std::string detail, std::int64_t wait) {
  return platform::Error::RateLimited(std::move(detail),
                                      static_cast<int>(std::clamp<std::int64_t>(wait, 1, 86400)));
}

}  // namespace

RedisLoginThrottle::RedisLoginThrottle(platform::redis::Client& redis, LoginLimits limits,
                                       Clock clock)
    : redis_(redis),
      limits_(limits),
      clock_(clock ? std::move(clock) : [] { return WindowCounters::Clock::now(); }) {}

app::Async<void> RedisLoginThrottle::Check(std::string email, std::string client) {
  auto now = clock_();
  auto by_email = memory_.Get(EmailKey(email), now);
  auto by_client = memory_.Get(ClientKey(client), now);
  // Commands are built before co_await: g++ 12 miscompiles braced lists inside it.
  std::vector<platform::redis::Command> commands{{"GET", EmailKey(email)},
                                                 {"TTL", EmailKey(email)},
                                                 {"GET", ClientKey(client)},
                                                 {"TTL", ClientKey(client)}};
  auto replies = co_await redis_.Execute(std::move(commands));
  if (replies && replies->size() == 4) {
    auto& r = *replies;
    by_email = Larger(by_email, CountOf(r[0]), r[1].integer);
    by_client = Larger(by_client, CountOf(r[2]), r[3].integer);
  }
  std::int64_t wait = 0;
  if (by_email.events >= limits_.per_email) wait = std::max(wait, by_email.seconds_left);
  if (by_client.events >= limits_.per_client) wait = std::max(wait, by_client.seconds_left);
  if (by_email.events >= limits_.per_email || by_client.events >= limits_.per_client) {
    co_return std::unexpected(TooMany("too many failed password checks; try again later", wait));
  }
  co_return platform::Result<void>{};
}

app::Async<void> RedisLoginThrottle::RecordFailure(std::string email, std::string client) {
  auto now = clock_();
  memory_.Add(EmailKey(email), limits_.window, now);
  memory_.Add(ClientKey(client), limits_.window, now);
  auto window = std::to_string(limits_.window.count());
  // EXPIRE ... NX starts the window at the first failure and never extends it.
  std::vector<platform::redis::Command> commands{{"INCR", EmailKey(email)},
                                                 {"EXPIRE", EmailKey(email), window, "NX"},
                                                 {"INCR", ClientKey(client)},
                                                 {"EXPIRE", ClientKey(client), window, "NX"}};
  // Redis unavailable: the count in memory stands in.
  (void)co_await redis_.Execute(std::move(commands));
  co_return platform::Result<void>{};
}

app::Async<void> RedisLoginThrottle::AdmitRegistration(std::string client) {
  auto seen = memory_.Add(RegisterKey(client), limits_.registration_window, clock_());
  auto window = std::to_string(limits_.registration_window.count());
  std::vector<platform::redis::Command> commands{{"INCR", RegisterKey(client)},
                                                 {"EXPIRE", RegisterKey(client), window, "NX"},
                                                 {"TTL", RegisterKey(client)}};
  auto replies = co_await redis_.Execute(std::move(commands));
  if (replies && replies->size() == 3) {
    seen = Larger(seen, CountOf((*replies)[0]), (*replies)[2].integer);
  }
  if (seen.events > limits_.registrations_per_client) {
    co_return std::unexpected(
        TooMany("too many registrations from this address; try again later", seen.seconds_left));
  }
  co_return platform::Result<void>{};
}

}  // namespace identity::infra
