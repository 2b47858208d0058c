#pragma once
// The task use cases, on the ports in ports.hpp.
//
// g++ 12 note (see platform/offload.hpp): coroutines here never capture their parameters in
// lambdas and never pass temporaries of class type inside co_await; they copy to locals first.

#include <functional>
#include <variant>

#include "app/ports.hpp"

namespace tasks::app {

// TaskDeps: the ports every use case draws from.
struct TaskDeps {
  TaskRepository& repository;
  TaskCache& cache;
  Environment& env;
};

// Actor: who asks, and the request id their events carry.
struct Actor {
  std::string user_id;
  std::string request_id;
};

// A change of one task: a domain rule applied at `now`.
using Mutation = std::function<platform::Result<domain::Task>(domain::Task, domain::Time)>;

Async<domain::Task> CreateTask(TaskDeps& deps, Actor actor, domain::TaskDraft draft);
// CreateOutcome: the task a keyed create made, or the first response of an earlier create under
// the same key.
using CreateOutcome = std::variant<domain::Task, FirstResponse>;
// A create under an Idempotency-Key: at most one task per (user, key) in 24 h, whatever retries,
// replicas or a lost cache do; the same key with another body is kUnprocessable.
Async<CreateOutcome> CreateTaskOnce(TaskDeps& deps, Actor actor, domain::TaskDraft draft,
                                    IdempotencyKey key);
Async<domain::Task> GetTask(TaskDeps& deps, Actor actor, std::string id);
Async<Page> ListTasks(TaskDeps& deps, ListQuery query);
// The body a page is answered with (the caller's format, cursors included).
using RenderPage = std::function<std::string(const Page&)>;
// One page of the owner's tasks as `render` writes it, from `pages` when this query (named by
// `query_key`) was answered since the owner's last write, else from the repository (and then
// cached). A failing cache only costs the repository read.
Async<std::string> ListTaskPage(TaskDeps& deps, ListPageCache& pages, ListQuery query,
                                std::string query_key, const RenderPage& render);
Async<void> DeleteTask(TaskDeps& deps, Actor actor, std::string id,
                       std::optional<std::int64_t> if_match);

// Read, apply, write with optimistic concurrency: with If-Match a version mismatch is 412;
// without, a lost race is retried on the fresh state.
Async<domain::Task> ModifyTask(TaskDeps& deps, const Actor& actor, const std::string& id,
                               std::optional<std::int64_t> if_match, const Mutation& mutation,
                               domain::TaskChange change);

Async<domain::Task> PatchTask(TaskDeps& deps, Actor actor, std::string id, domain::TaskPatch patch,
                              std::optional<std::int64_t> if_match);
Async<domain::Task> CompleteTask(TaskDeps& deps, Actor actor, std::string id,
                                 std::optional<std::int64_t> if_match);
Async<domain::Task> ReopenTask(TaskDeps& deps, Actor actor, std::string id,
                               std::optional<std::int64_t> if_match);
Async<domain::Task> AddChecklistItem(TaskDeps& deps, Actor actor, std::string id, std::string text,
                                     std::optional<std::int64_t> if_match);
Async<domain::Task> UpdateChecklistItem(TaskDeps& deps, Actor actor, std::string id,
                                        std::string item_id, std::optional<std::string> text,
                                        std::optional<bool> done,
                                        std::optional<std::int64_t> if_match);
Async<domain::Task> RemoveChecklistItem(TaskDeps& deps, Actor actor, std::string id,
                                        std::string item_id, std::optional<std::int64_t> if_match);

}  // namespace tasks::app
