#include "app/use_cases.hpp"
#include "platform/try.hpp"

namespace tasks::app {

Async<void> DeleteTask(TaskDeps& deps, Actor actor, std::string id,
                       std::optional<std::int64_t> if_match) {
  if (if_match) {
    TODO_CO_TRY(const std::optional<domain::Task> found,
                co_await deps.repository.Find(actor.user_id, id));
    if (!found) co_return std::unexpected(platform::Error::NotFound("task not found"));
    if (found->version != *if_match) {
      co_return std::unexpected(
          platform::Error::PreconditionFailed("the task has changed (If-Match does not match)"));
    }
  }
  // Forgotten before the delete commits: a crash right after the commit must not leave the
  // deleted task cached.
  (void)co_await deps.cache.Forget(actor.user_id, id);
  TODO_CO_TRY(const bool deleted,
              co_await deps.repository.Delete(actor.user_id, id, if_match, actor.request_id));
  (void)co_await deps.cache.BumpLists(actor.user_id);
  if (!deleted) {
    if (if_match) {
      co_return std::unexpected(
          platform::Error::PreconditionFailed("the task has changed (If-Match does not match)"));
    }
    co_return std::unexpected(platform::Error::NotFound("task not found"));
  }
  co_return platform::Result<void>{};
}

}  // namespace tasks::app
