#include <algorithm>
#include <utility>

#include "domain/task.hpp"
#include "domain/task_checks.hpp"

namespace tasks::domain {
namespace {

std::vector<ChecklistItem>::iterator FindItem(Task& task, std::string_view item_id) {
  return std::ranges::find_if(task.checklist,
                              [&](const ChecklistItem& item) { return item.id == item_id; });
}

// After any checklist change: progress follows the items and the status follows progress.
// An emptied checklist keeps the last derived progress: removing the remaining steps says
// nothing about how far the task got, and dropping to 0 would silently reopen a done task.
Task Recompute(Task task, Time now) {
  if (!task.checklist.empty()) task.progress = DeriveProgress(task.checklist);
  detail::SettleStatus(task, now);
  detail::Touch(task, now);
  return task;
}

}  // namespace

platform::Result<Task> AddChecklistItem(Task task, std::string item_id, std::string_view text,
                                        Time now) {
  if (task.status == Status::kExpired) return std::unexpected(detail::ExpiredConflict());
  detail::FieldErrors errors;
  if (task.checklist.size() >= kMaxChecklistItems) {
    errors.Add("checklist", "must have at most " + std::to_string(kMaxChecklistItems) + " items");
  }
  auto checked = detail::CheckChecklistText(text, "text", errors);
  if (!errors.Empty()) return std::unexpected(errors.ToError("checklist item is not valid"));
  task.checklist.push_back({std::move(item_id), std::move(*checked), false});
  return Recompute(std::move(task), now);
}

platform::Result<Task> UpdateChecklistItem(Task task, std::string_view item_id,
                                           std::optional<std::string_view> text,
                                           std::optional<bool> done, Time now) {
  if (task.status == Status::kExpired) return std::unexpected(detail::ExpiredConflict());
  const auto item = FindItem(task, item_id);
  if (item == task.checklist.end()) {
    return std::unexpected(platform::Error::NotFound("checklist item not found"));
  }
  if (text) {
    detail::FieldErrors errors;
    auto checked = detail::CheckChecklistText(*text, "text", errors);
    if (!errors.Empty()) return std::unexpected(errors.ToError("checklist item is not valid"));
    item->text = std::move(*checked);
  }
  if (done) item->done = *done;
  return Recompute(std::move(task), now);
}

platform::Result<Task> RemoveChecklistItem(Task task, std::string_view item_id, Time now) {
  if (task.status == Status::kExpired) return std::unexpected(detail::ExpiredConflict());
  const auto item = FindItem(task, item_id);
  if (item == task.checklist.end()) {
    return std::unexpected(platform::Error::NotFound("checklist item not found"));
  }
  task.checklist.erase(item);
  return Recompute(std::move(task), now);
}

}  // namespace tasks::domain
