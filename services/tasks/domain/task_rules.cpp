#include <algorithm>
#include <utility>

#include "domain/task.hpp"
#include "domain/task_checks.hpp"
#include "platform/check.hpp"
#include "platform/time.hpp"

namespace tasks::domain {
namespace {

using detail::FieldErrors;

// Whether a patch tries to move the expiry (a non-null expires_at or ttl_seconds): only such
// a patch may touch an expired task. Whether the new expiry is really in the future is the
// validation's call, so a past expires_at gets the more useful 400 rather than a 409.
bool TriesToMoveExpiry(const TaskPatch& patch) {
  return (patch.expires_at.present && patch.expires_at.value) ||
         (patch.ttl_seconds.present && patch.ttl_seconds.value);
}

}  // namespace

platform::Result<Task> CreateTask(const TaskDraft& draft, const CreateContext& context) {
  const Time now = context.now;
  FieldErrors errors;
  Task task;
  task.id = context.id;
  task.owner_id = context.owner_id;
  task.created_at = now;
  task.updated_at = now;
  task.version = 1;

  if (auto title = detail::CheckTitle(draft.title, errors)) task.title = std::move(*title);
  if (draft.description) {
    if (auto description = detail::CheckDescription(*draft.description, errors)) {
      task.description = std::move(*description);
    }
  }
  if (draft.priority) {
    if (auto priority = detail::CheckPriority(*draft.priority, errors)) task.priority = *priority;
  }
  if (draft.labels) {
    if (auto labels = detail::CheckLabels(*draft.labels, errors)) task.labels = std::move(*labels);
  }

  const bool has_checklist = draft.checklist && !draft.checklist->empty();
  if (has_checklist) {
    const auto& items = *draft.checklist;
    if (items.size() > kMaxChecklistItems) {
      errors.Add("checklist", "must have at most " + std::to_string(kMaxChecklistItems) + " items");
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
      auto text = detail::CheckChecklistText(items[i].text,
                                             "checklist[" + std::to_string(i) + "].text", errors);
      if (text) task.checklist.push_back({"", std::move(*text), items[i].done});
    }
  }
  if (draft.progress) {
    if (has_checklist) {
      errors.Add("progress", "is derived from the checklist and cannot be set");
    } else if (auto progress = detail::CheckProgress(*draft.progress, errors)) {
      task.progress = *progress;
    }
  }

  if (draft.expires_at && draft.ttl_seconds) {
    detail::AddBothExpiryFormsError(errors);
  } else if (draft.expires_at) {
    task.expires_at = detail::CheckExpiresAt(*draft.expires_at, now, errors);
  } else if (draft.ttl_seconds) {
    task.expires_at = detail::CheckTtl(*draft.ttl_seconds, now, errors);
  } else if (context.default_ttl_seconds && *context.default_ttl_seconds > 0) {
    // The identity service bounds the default; a non-positive one means "no default". It
    // arrives by event, so it is bounded here too, and a sum past the year 9999 is clamped.
    auto ttl = std::min(*context.default_ttl_seconds, kMaxTtlSeconds);
    task.expires_at = platform::AddSeconds(now, ttl).value_or(platform::kMaxTime);
  }
  if (draft.on_expire) {
    if (auto on_expire = detail::CheckOnExpire(*draft.on_expire, errors)) {
      task.on_expire = *on_expire;
    }
  }
  task.due_at = draft.due_at;

  if (!errors.Empty()) return std::unexpected(errors.ToError("task is not valid"));

  if (has_checklist) {
    // The app draws one fresh id per item it was given (ids are not client input).
    TODO_CHECK(context.checklist_ids.size() >= task.checklist.size(),
               "a create context holds an id for each checklist item");
    for (std::size_t i = 0; i < task.checklist.size(); ++i) {
      task.checklist[i].id = context.checklist_ids[i];
    }
    task.progress = DeriveProgress(task.checklist);
  }
  task.status = Status::kTodo;
  detail::SettleStatus(task, now);
  return task;
}

platform::Result<Task> ApplyPatch(Task task, const TaskPatch& patch, Time now) {
  const bool expired = task.status == Status::kExpired;
  if (expired && !TriesToMoveExpiry(patch)) {
    return std::unexpected(detail::ExpiredConflict());
  }

  // Null on a field that has a default resets it (merge patch: the member is removed); null
  // on title or progress, which have no "absent" form, is refused.
  FieldErrors errors;
  if (patch.title.present) {
    if (!patch.title.value) {
      errors.Add("title", "must not be null");
    } else if (auto title = detail::CheckTitle(*patch.title.value, errors)) {
      task.title = std::move(*title);
    }
  }
  if (patch.description.present) {
    if (!patch.description.value) {
      task.description.clear();
    } else if (auto description = detail::CheckDescription(*patch.description.value, errors)) {
      task.description = std::move(*description);
    }
  }
  if (patch.progress.present) {
    if (!patch.progress.value) {
      errors.Add("progress", "must not be null");
    } else if (!task.checklist.empty()) {
      errors.Add("progress", "is derived from the checklist and cannot be set");
    } else if (auto progress = detail::CheckProgress(*patch.progress.value, errors)) {
      task.progress = *progress;
    }
  }
  if (patch.priority.present) {
    if (!patch.priority.value) {
      task.priority = Priority::kNone;
    } else if (auto priority = detail::CheckPriority(*patch.priority.value, errors)) {
      task.priority = *priority;
    }
  }
  if (patch.labels.present) {
    if (!patch.labels.value) {
      task.labels.clear();
    } else if (auto labels = detail::CheckLabels(*patch.labels.value, errors)) {
      task.labels = std::move(*labels);
    }
  }
  if (patch.due_at.present) task.due_at = patch.due_at.value;

  if (patch.expires_at.present && patch.ttl_seconds.present) {
    detail::AddBothExpiryFormsError(errors);
  } else if (patch.expires_at.present) {
    if (!patch.expires_at.value) {
      task.expires_at.reset();
    } else if (auto expires_at = detail::CheckExpiresAt(*patch.expires_at.value, now, errors)) {
      task.expires_at = expires_at;
    }
  } else if (patch.ttl_seconds.present) {
    if (!patch.ttl_seconds.value) {
      errors.Add("ttl_seconds", "must not be null (clear the expiry with expires_at: null)");
    } else if (auto expires_at = detail::CheckTtl(*patch.ttl_seconds.value, now, errors)) {
      task.expires_at = expires_at;
    }
  }
  if (patch.on_expire.present) {
    if (!patch.on_expire.value) {
      task.on_expire = OnExpire::kKeep;
    } else if (auto on_expire = detail::CheckOnExpire(*patch.on_expire.value, errors)) {
      task.on_expire = *on_expire;
    }
  }

  if (!errors.Empty()) return std::unexpected(errors.ToError("task change is not valid"));

  if (expired) task.expired_at.reset();  // revived: the status follows progress below
  detail::SettleStatus(task, now);
  detail::Touch(task, now);
  return task;
}

platform::Result<Task> Complete(Task task, Time now) {
  if (task.status == Status::kExpired) {
    return std::unexpected(detail::ExpiredConflict());
  }
  if (task.status == Status::kDone) return task;  // a retried click must not bump the ETag
  for (ChecklistItem& item : task.checklist) item.done = true;
  task.progress = 100;
  task.status = Status::kDone;
  task.completed_at = now;
  detail::Touch(task, now);
  return task;
}

platform::Result<Task> Reopen(Task task, Time now) {
  if (task.status == Status::kExpired) {
    return std::unexpected(detail::ExpiredConflict());
  }
  if (task.status != Status::kDone) return task;
  task.completed_at.reset();
  if (task.checklist.empty()) {
    task.progress = 0;
    task.status = Status::kTodo;
  } else {
    // The ticks are the person's record of what was done; reopening must not erase them.
    task.progress = DeriveProgress(task.checklist);
    const bool any_ticked =
        std::ranges::any_of(task.checklist, [](const ChecklistItem& item) { return item.done; });
    task.status = any_ticked ? Status::kInProgress : Status::kTodo;
  }
  detail::Touch(task, now);
  return task;
}

}  // namespace tasks::domain
