#include "infra/redis_login_throttle.hpp"

#include <algorithm>

namespace identity::infra {

namespace {

std::string EmailKey(const std::string& email) { return "login:fail:email:" + email; }
std::string ClientKey(const std::string& client) { return "login:fail:client:" + client; }

}  // namespace

app::Async<void> RedisLoginThrottle::Check(std::string email, std::string client) {
  // Commands are built before co_await: g++ 12 miscompiles braced lists inside it.
  std::vector<platform::redis::Command> commands{{"GET", EmailKey(email)},
                                                 {"TTL", EmailKey(email)},
                                                 {"GET", ClientKey(client)},
                                                 {"TTL", ClientKey(client)}};
  auto replies = co_await redis_.Execute(std::move(commands));
  if (!replies) co_return std::unexpected(replies.error());
  auto count = [](const platform::redis::Reply& r) {
    return r.IsNil() ? 0 : std::atoll(r.text.c_str());
  };
  auto& r = *replies;
  std::int64_t wait = 0;
  if (count(r[0]) >= limits_.per_email) wait = std::max<std::int64_t>(wait, r[1].integer);
  if (count(r[2]) >= limits_.per_client) wait = std::max<std::int64_t>(wait, r[3].integer);
  if (count(r[0]) >= limits_.per_email || count(r[2]) >= limits_.per_client) {
    co_return std::unexpected(
        platform::Error::RateLimited("too many failed logins; try again later",
                                     static_cast<int>(std::max<std::int64_t>(wait, 1))));
  }
  co_return platform::Result<void>{};
}

app::Async<void> RedisLoginThrottle::RecordFailure(std::string email, std::string client) {
  auto window = std::to_string(limits_.window.count());
  // EXPIRE ... NX starts the window at the first failure and never extends it.
  std::vector<platform::redis::Command> commands{{"INCR", EmailKey(email)},
                                                 {"EXPIRE", EmailKey(email), window, "NX"},
                                                 {"INCR", ClientKey(client)},
                                                 {"EXPIRE", ClientKey(client), window, "NX"}};
  auto replies = co_await redis_.Execute(std::move(commands));
  if (!replies) co_return std::unexpected(replies.error());
  co_return platform::Result<void>{};
}

}  // namespace identity::infra
