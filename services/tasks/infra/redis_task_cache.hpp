#pragma once
// RedisTaskCache: task:<owner>:<id> holds the task's JSON for a few minutes, and never beyond
// the task's own expires_at (PXAT), so a cached entry cannot outlive the state it shows.

#include <chrono>

#include "app/ports.hpp"
#include "platform/redis/client.hpp"

namespace tasks::infra {

class RedisTaskCache : public app::TaskCache {
 public:
  RedisTaskCache(platform::redis::Client& redis, std::chrono::seconds lifetime)
      : redis_(redis), lifetime_(lifetime) {}

  app::Async<std::optional<domain::Task>> Get(std::string owner_id, std::string id) override;
  app::Async<void> Put(domain::Task task) override;
  app::Async<void> Forget(std::string owner_id, std::string id) override;
  app::Async<void> BumpLists(std::string owner_id) override;

  // CachedPage: the owner's current list version, and the page cached under it, if any.
  struct CachedPage {
    std::string version;
    std::optional<std::string> body;
  };
  // Pages are keyed by the list version read here: a page computed while a write bumps the
  // version is stored under the old one, where no reader looks any more.
  app::Async<CachedPage> GetPage(std::string owner_id, std::string query_key);
  app::Async<void> PutPage(std::string owner_id, std::string version, std::string query_key,
                           std::string body);

 private:
  platform::redis::Client& redis_;
  std::chrono::seconds lifetime_;
};

// Reads the JSON that TaskEventJson writes back into a task; nullopt when it is not one.
std::optional<domain::Task> ParseTaskJson(std::string_view json);

}  // namespace tasks::infra
