#include "app/use_cases.hpp"

namespace tasks::app {

Async<domain::Task> CreateTask(TaskDeps& deps, Actor actor, domain::TaskDraft draft) {
  auto settings = co_await deps.repository.Settings(actor.user_id);
  if (!settings) co_return std::unexpected(settings.error());
  domain::CreateContext context;
  context.id = deps.env.NewId();
  context.owner_id = actor.user_id;
  context.now = deps.env.Now();
  context.default_ttl_seconds = settings->default_task_ttl_seconds;
  std::size_t items = draft.checklist ? draft.checklist->size() : 0;
  for (std::size_t i = 0; i < items && i <= domain::kMaxChecklistItems; ++i) {
    context.checklist_ids.push_back(deps.env.NewId());
  }
  auto task = domain::CreateTask(draft, context);
  if (!task) co_return std::unexpected(task.error());
  auto stored = co_await deps.repository.Insert(*task, actor.request_id);
  if (!stored) co_return std::unexpected(stored.error());
  (void)co_await deps.cache.Put(*task);
  (void)co_await deps.cache.BumpLists(actor.user_id);
  co_return std::move(*task);
}

}  // namespace tasks::app
