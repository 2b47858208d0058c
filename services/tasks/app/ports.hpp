#pragma once
// The interfaces the task use cases need; infra implements them, tests fake them.

#include <utility>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/task.hpp"
#include "platform/error.hpp"

namespace tasks::app {

template <typename T>
using Async = boost::asio::awaitable<platform::Result<T>>;

// SortKey: the orders API.md lists; each sorts by its key, then by id.
enum class SortKey { kCreatedAt, kUpdatedAt, kDueAt, kExpiresAt, kPriority };

// Cursor: where a page ended: the last item's sort key value and id.
struct Cursor {
  std::string key;  // the sort key's value in its SQL text form (time in ms, or rank)
  std::string id;
};

// ListQuery: a validated GET /v1/tasks.
struct ListQuery {
  std::string owner_id;
  std::vector<domain::Status> statuses;
  std::optional<std::string> label;
  std::optional<domain::Priority> priority;
  std::optional<std::string> text;  // q
  std::optional<domain::Time> due_before, due_after, expires_before, expires_after;
  SortKey sort = SortKey::kCreatedAt;
  bool descending = true;
  int limit = 50;
  std::optional<Cursor> after;
};

// Page: one page of tasks and where the next starts.
struct Page {
  std::vector<domain::Task> items;
  std::optional<Cursor> next;
};

// OwnerSettings: what tasks knows of a user (from todo.user.* events).
struct OwnerSettings {
  std::string timezone = "UTC";
  std::optional<std::int64_t> default_task_ttl_seconds;
};

// IdempotencyKey: a create's Idempotency-Key (each user has keys of their own) and the SHA-256
// of the body it came with.
struct IdempotencyKey {
  std::string key;
  std::string body_hash;
};

// FirstResponse: what the first create under a key answered, kept verbatim: a retry gets it
// again even after the task was changed or deleted.
struct FirstResponse {
  std::string task_id;
  std::int64_t task_version = 1;
  std::string body;  // the 201's JSON
};

// TaskRepository: tasks, each change committed with its todo.task.* event.
class TaskRepository {
 public:
  virtual ~TaskRepository() = default;
  virtual Async<void> Insert(domain::Task task, std::string request_id) = 0;
  // Insert, unless the owner used `key` in the last 24 h: then nothing is written and the first
  // response comes back (kUnprocessable when it came with another body). The key is stored in
  // the task's transaction, so it is exactly as durable as the task.
  virtual Async<std::optional<FirstResponse>> InsertOnce(domain::Task task, std::string request_id,
                                                         IdempotencyKey key) = 0;
  // The first response under a key (nullopt: unused in the last 24 h; kUnprocessable: used
  // with another body).
  virtual Async<std::optional<FirstResponse>> FindFirstResponse(std::string owner_id,
                                                                IdempotencyKey key) = 0;
  // Only the owner's task: another user's id is simply not found.
  virtual Async<std::optional<domain::Task>> Find(std::string owner_id, std::string id) = 0;
  virtual Async<Page> List(ListQuery query) = 0;
  // Writes the new state if the stored version is still expected_version; false when another
  // write got there first. `change` says which event the write commits.
  virtual Async<bool> Update(domain::Task task, std::int64_t expected_version,
                             domain::TaskChange change, std::string request_id) = 0;
  // Deletes if present (and at expected_version when given); false when absent or changed.
  virtual Async<bool> Delete(std::string owner_id, std::string id,
                             std::optional<std::int64_t> expected_version,
                             std::string request_id) = 0;
  virtual Async<OwnerSettings> Settings(std::string owner_id) = 0;
};

// TaskCache: a read-through cache; every failure is ignored by callers (Redis is a cache).
class TaskCache {
 public:
  virtual ~TaskCache() = default;
  virtual Async<std::optional<domain::Task>> Get(std::string owner_id, std::string id) = 0;
  virtual Async<void> Put(domain::Task task) = 0;
  virtual Async<void> Forget(std::string owner_id, std::string id) = 0;
  // Before a write of `version` commits: until that version is cached, readers read the
  // database, so a crash between the commit and Put cannot leave the older state cached.
  virtual Async<void> Hold(std::string owner_id, std::string id, std::int64_t version) = 0;
  // Invalidates every cached list page of the owner (each write does, before it answers).
  virtual Async<void> BumpLists(std::string owner_id) = 0;
};

// CachedPage: the owner's current list version, and the page cached under it, if any.
struct CachedPage {
  std::string version;
  std::optional<std::string> body;
};

// ListPageCache: list pages as answered (the bytes), per owner and query. Pages are stored
// under the owner's list version read with them, and TaskCache::BumpLists moves that version,
// so a page computed while a write lands is stored where no reader looks any more. Failures
// are ignored by callers: the page is then read from the repository.
class ListPageCache {
 public:
  virtual ~ListPageCache() = default;
  virtual Async<CachedPage> GetPage(std::string owner_id, std::string query_key) = 0;
  virtual Async<void> PutPage(std::string owner_id, std::string version, std::string query_key,
                              std::string body) = 0;
};

// Ids and time, injected so use cases are deterministic under test.
class Environment {
 public:
  virtual ~Environment() = default;
  virtual std::string NewId() = 0;
  virtual domain::Time Now() = 0;
};

}  // namespace tasks::app
