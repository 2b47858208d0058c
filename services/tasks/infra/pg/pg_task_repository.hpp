#pragma once
// PgTaskRepository: the TaskRepository on PostgreSQL, each change committed with its event.

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>

#include "app/ports.hpp"
#include "platform/pg/commit_group.hpp"
#include "platform/pg/pool.hpp"

namespace tasks::infra {

// NewTask: a create waiting for its commit group, with its Idempotency-Key if it has one.
// over_quota is set by the group's write when the create was left out because its owner has
// reached the task quota.
struct NewTask {
  domain::Task task;
  std::string request_id;
  std::optional<app::IdempotencyKey> key;
  // Filled by InsertTasks when the key was already taken (nothing inserted): the first
  // response, or why there is none. Shared: the group sees its items as const, and the
  // submitter reads it once the group has committed.
  std::shared_ptr<std::optional<platform::Result<app::FirstResponse>>> taken;
  std::shared_ptr<std::atomic<bool>> over_quota = std::make_shared<std::atomic<bool>>(false);
};

// TODO_QUOTA_TASKS's default: tasks one user may have.
inline constexpr std::int64_t kDefaultTaskQuota = 100000;

// PgTaskRepository: plain functions returning the pool's awaitable (not coroutines), so the
// lambdas capture ordinary parameters (see platform/offload.hpp for the g++ 12 trap). Creates
// arriving together are committed together (platform::pg::CommitGroup).
class PgTaskRepository : public app::TaskRepository {
 public:
  explicit PgTaskRepository(platform::pg::Pool& pool,
                            platform::pg::CommitGroupOptions group_options = {},
                            std::int64_t task_quota = kDefaultTaskQuota);

  app::Async<void> Insert(domain::Task task, std::string request_id) override;
  app::Async<std::optional<app::FirstResponse>> InsertOnce(domain::Task task,
                                                           std::string request_id,
                                                           app::IdempotencyKey key) override;
  app::Async<std::optional<app::FirstResponse>> FindFirstResponse(std::string owner_id,
                                                                  app::IdempotencyKey key) override;
  app::Async<std::optional<domain::Task>> Find(std::string owner_id, std::string id) override;
  app::Async<app::Page> List(app::ListQuery query) override;
  app::Async<bool> Update(domain::Task task, std::int64_t expected_version,
                          domain::TaskChange change, std::string request_id) override;
  app::Async<bool> Delete(std::string owner_id, std::string id,
                          std::optional<std::int64_t> expected_version,
                          std::string request_id) override;
  app::Async<app::OwnerSettings> Settings(std::string owner_id) override;

 private:
  platform::pg::Pool& pool_;
  std::int64_t task_quota_;
  platform::pg::CommitGroup<NewTask> creates_;
};

// Writes a group of new tasks and their created events inside the caller's transaction; a keyed
// create inserts only if its key was free (idempotency_keys decides, in the same transaction),
// and a create whose owner would go beyond task_quota tasks is left out (and marked
// over_quota); the others commit.
platform::pg::DbResult<void> InsertTasks(platform::pg::Connection& tx,
                                         std::span<const NewTask> created,
                                         std::int64_t task_quota = kDefaultTaskQuota);

}  // namespace tasks::infra
