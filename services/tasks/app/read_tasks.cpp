#include "app/use_cases.hpp"

namespace tasks::app {

Async<domain::Task> GetTask(TaskDeps& deps, Actor actor, std::string id) {
  auto cached = co_await deps.cache.Get(actor.user_id, id);
  if (cached && *cached) co_return std::move(**cached);
  auto found = co_await deps.repository.Find(actor.user_id, id);
  if (!found) co_return std::unexpected(found.error());
  if (!*found) co_return std::unexpected(platform::Error::NotFound("task not found"));
  (void)co_await deps.cache.Put(**found);
  co_return std::move(**found);
}

Async<Page> ListTasks(TaskDeps& deps, ListQuery query) {
  co_return co_await deps.repository.List(std::move(query));
}

}  // namespace tasks::app
