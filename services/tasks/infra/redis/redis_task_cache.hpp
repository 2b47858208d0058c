#pragma once
// RedisTaskCache: task:<owner>:<id> holds the task's JSON for a few minutes, and never beyond
// the task's own expires_at (PXAT), so a cached entry cannot outlive the state it shows.

#include <chrono>
#include <string>
#include <vector>

#include "app/ports.hpp"
#include "infra/redis/in_process_task_cache.hpp"
#include "platform/redis/client.hpp"
#include "platform/redis/invalidation_listener.hpp"

namespace tasks::infra {

// Also the list-page cache: tasks:listver:<owner> counts the owner's writes, and
// tasks:page:<owner>:<version>:<query> holds a page as answered under that count.
class RedisTaskCache : public app::TaskCache, public app::ListPageCache {
 public:
  // With `copies` (and the `listener` that keeps them coherent), a task read from Redis is
  // also kept in process and served from there while the listener says nothing changed.
  RedisTaskCache(platform::redis::Client& redis, std::chrono::seconds lifetime,
                 InProcessTaskCache* copies = nullptr,
                 const platform::redis::InvalidationListener* listener = nullptr)
      : redis_(redis), lifetime_(lifetime), copies_(copies), listener_(listener) {}

  app::Async<std::optional<domain::Task>> Get(std::string owner_id, std::string id) override;
  app::Async<void> Put(domain::Task task) override;
  app::Async<void> Forget(std::string owner_id, std::string id) override;
  // An empty entry at `version` for a few seconds: older fills are refused by the version
  // check, and the version itself (from the writer or a reader) replaces it.
  app::Async<void> Hold(std::string owner_id, std::string id, std::int64_t version) override;
  app::Async<void> BumpLists(std::string owner_id) override;
  // BumpLists for several owners in one round trip.
  app::Async<void> BumpListsOf(std::vector<std::string> owner_ids);
  // Drops every cached task of the owner (an erased account).
  app::Async<void> ForgetOwner(std::string owner_id);

  // For callers on a plain thread (the expiry scheduler, the user event consumer): the same,
  // run to completion on a private event loop; failures are ignored (Redis is a cache).
  void BumpListsNow(const std::vector<std::string>& owner_ids);
  void ForgetOwnerNow(const std::string& owner_id);

  using CachedPage = app::CachedPage;
  // Pages are keyed by the list version read here: a page computed while a write bumps the
  // version is stored under the old one, where no reader looks any more.
  app::Async<CachedPage> GetPage(std::string owner_id, std::string query_key) override;
  app::Async<void> PutPage(std::string owner_id, std::string version, std::string query_key,
                           std::string body) override;

 private:
  // Until when a copy of `task` may be served: the cache lifetime, or the task's expiry.
  std::chrono::sys_time<std::chrono::milliseconds> Deadline(const domain::Task& task) const;
  void EraseCopy(const std::string& key);
  // Sends commands whose replies say nothing the caller needs.
  app::Async<void> Send(std::vector<platform::redis::Command> commands);

  platform::redis::Client& redis_;
  std::chrono::seconds lifetime_;
  InProcessTaskCache* copies_;
  const platform::redis::InvalidationListener* listener_;
};

// The Redis key of a task: task:<owner>:<id>.
std::string TaskCacheKey(const std::string& owner_id, const std::string& id);

// Reads the JSON that TaskEventJson writes back into a task; nullopt when it is not one.
std::optional<domain::Task> ParseTaskJson(std::string_view json);

}  // namespace tasks::infra
