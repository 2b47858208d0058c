#include "app/use_cases.hpp"
#include "platform/check.hpp"
#include "platform/try.hpp"

namespace tasks::app {
namespace {

constexpr int kAttempts = 5;

platform::Error VersionMismatch() {
  return platform::Error::PreconditionFailed("the task has changed (If-Match does not match)");
}

}  // namespace

Async<domain::Task> ModifyTask(TaskDeps& deps, const Actor& actor, const std::string& id,
                               std::optional<std::int64_t> if_match, const Mutation& mutation,
                               domain::TaskChange change) {
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    TODO_CO_TRY(std::optional<domain::Task> found,
                co_await deps.repository.Find(actor.user_id, id));
    if (!found) co_return std::unexpected(platform::Error::NotFound("task not found"));
    domain::Task current = std::move(*found);
    if (if_match && *if_match != current.version) co_return std::unexpected(VersionMismatch());
    std::int64_t expected = current.version;
    TODO_CO_TRY(domain::Task changed, mutation(std::move(current), deps.env.Now()));
    if (changed.version == expected) co_return std::move(changed);  // nothing to write
    // A rule either leaves a task as it was or records the change (version + 1).
    TODO_CO_CHECK(changed.version == expected + 1, "a changed task is one version newer");
    (void)co_await deps.cache.Hold(actor.user_id, id, changed.version);
    TODO_CO_TRY(const bool written,
                co_await deps.repository.Update(changed, expected, change, actor.request_id));
    if (written) {
      (void)co_await deps.cache.Put(changed);
      (void)co_await deps.cache.BumpLists(actor.user_id);
      co_return std::move(changed);
    }
    if (if_match) co_return std::unexpected(VersionMismatch());
  }
  co_return std::unexpected(
      platform::Error::Conflict("the task is being changed concurrently; try again"));
}

Async<domain::Task> PatchTask(TaskDeps& deps, Actor actor, std::string id, domain::TaskPatch patch,
                              std::optional<std::int64_t> if_match) {
  const domain::TaskPatch local = std::move(patch);
  Mutation mutation = [&local](domain::Task task, domain::Time now) {
    return domain::ApplyPatch(std::move(task), local, now);
  };
  co_return co_await ModifyTask(deps, actor, id, if_match, mutation, domain::TaskChange::kUpdated);
}

Async<domain::Task> CompleteTask(TaskDeps& deps, Actor actor, std::string id,
                                 std::optional<std::int64_t> if_match) {
  Mutation mutation = [](domain::Task task, domain::Time now) {
    return domain::Complete(std::move(task), now);
  };
  co_return co_await ModifyTask(deps, actor, id, if_match, mutation,
                                domain::TaskChange::kCompleted);
}

Async<domain::Task> ReopenTask(TaskDeps& deps, Actor actor, std::string id,
                               std::optional<std::int64_t> if_match) {
  Mutation mutation = [](domain::Task task, domain::Time now) {
    return domain::Reopen(std::move(task), now);
  };
  co_return co_await ModifyTask(deps, actor, id, if_match, mutation, domain::TaskChange::kReopened);
}

Async<domain::Task> AddChecklistItem(TaskDeps& deps, Actor actor, std::string id, std::string text,
                                     std::optional<std::int64_t> if_match) {
  const std::string local_text = std::move(text);
  const std::string item_id = deps.env.NewId();
  Mutation mutation = [&local_text, &item_id](domain::Task task, domain::Time now) {
    return domain::AddChecklistItem(std::move(task), item_id, local_text, now);
  };
  co_return co_await ModifyTask(deps, actor, id, if_match, mutation, domain::TaskChange::kUpdated);
}

Async<domain::Task> UpdateChecklistItem(TaskDeps& deps, Actor actor, std::string id,
                                        std::string item_id, std::optional<std::string> text,
                                        std::optional<bool> done,
                                        std::optional<std::int64_t> if_match) {
  const std::string local_item = std::move(item_id);
  const std::optional<std::string> local_text = std::move(text);
  const std::optional<bool> local_done = done;
  Mutation mutation = [&](domain::Task task, domain::Time now) {
    std::optional<std::string_view> view;
    if (local_text) view = *local_text;
    return domain::UpdateChecklistItem(std::move(task), local_item, view, local_done, now);
  };
  co_return co_await ModifyTask(deps, actor, id, if_match, mutation, domain::TaskChange::kUpdated);
}

Async<domain::Task> RemoveChecklistItem(TaskDeps& deps, Actor actor, std::string id,
                                        std::string item_id, std::optional<std::int64_t> if_match) {
  const std::string local_item = std::move(item_id);
  Mutation mutation = [&local_item](domain::Task task, domain::Time now) {
    return domain::RemoveChecklistItem(std::move(task), local_item, now);
  };
  co_return co_await ModifyTask(deps, actor, id, if_match, mutation, domain::TaskChange::kUpdated);
}

}  // namespace tasks::app
