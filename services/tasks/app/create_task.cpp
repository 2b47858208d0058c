#include "app/use_cases.hpp"
#include "platform/try.hpp"

namespace tasks::app {

namespace {

// The task a draft makes for its owner now, checked by the domain rules.
Async<domain::Task> BuildTask(TaskDeps& deps, const Actor& actor, const domain::TaskDraft& draft) {
  TODO_CO_TRY(const OwnerSettings settings, co_await deps.repository.Settings(actor.user_id));
  domain::CreateContext context;
  context.id = deps.env.NewId();
  context.owner_id = actor.user_id;
  context.now = deps.env.Now();
  context.default_ttl_seconds = settings.default_task_ttl_seconds;
  std::size_t items = draft.checklist ? draft.checklist->size() : 0;
  for (std::size_t i = 0; i < items && i <= domain::kMaxChecklistItems; ++i) {
    context.checklist_ids.push_back(deps.env.NewId());
  }
  co_return domain::CreateTask(draft, context);
}

// After a create committed: the cache learns the task and that the owner's lists changed.
boost::asio::awaitable<void> Cache(TaskDeps& deps, const domain::Task& task) {
  domain::Task copy = task;
  (void)co_await deps.cache.Put(std::move(copy));
  std::string owner = task.owner_id;
  (void)co_await deps.cache.BumpLists(std::move(owner));
}

// A refusal that a retry may meet although the first create under its key passed (an
// expires_at that has passed since, a quota filled since): the key's record still answers.
bool RefusedByRules(const platform::Error& error) {
  return error.kind != platform::ErrorKind::kUnavailable &&
         error.kind != platform::ErrorKind::kInternal;
}

}  // namespace

Async<domain::Task> CreateTask(TaskDeps& deps, Actor actor, domain::TaskDraft draft) {
  TODO_CO_TRY(domain::Task task, co_await BuildTask(deps, actor, draft));
  TODO_CO_TRY_VOID(co_await deps.repository.Insert(task, actor.request_id));
  co_await Cache(deps, task);
  co_return std::move(task);
}

Async<CreateOutcome> CreateTaskOnce(TaskDeps& deps, Actor actor, domain::TaskDraft draft,
                                    IdempotencyKey key) {
  auto task = co_await BuildTask(deps, actor, draft);
  if (!task) {
    if (!RefusedByRules(task.error())) co_return std::unexpected(task.error());
    // Only on this failure path: a successful create pays no extra round trip for the key.
    auto first = co_await deps.repository.FindFirstResponse(actor.user_id, key);
    if (first && *first) co_return CreateOutcome{std::move(**first)};
    if (!first && first.error().kind == platform::ErrorKind::kUnprocessable) {
      co_return std::unexpected(first.error());
    }
    co_return std::unexpected(task.error());
  }
  TODO_CO_TRY(std::optional<FirstResponse> first,
              co_await deps.repository.InsertOnce(*task, actor.request_id, key));
  if (first) co_return CreateOutcome{std::move(*first)};
  co_await Cache(deps, *task);
  co_return CreateOutcome{std::move(*task)};
}

}  // namespace tasks::app
