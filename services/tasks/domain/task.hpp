#pragma once
// Task: the to-do item with its rules (limits, status transitions, progress, expiry). No I/O.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/error.hpp"
#include "platform/patch.hpp"

namespace tasks::domain {

using Time = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

enum class Status { kTodo, kInProgress, kDone, kExpired };
enum class Priority { kNone, kLow, kMedium, kHigh, kUrgent };
enum class OnExpire { kKeep, kDelete };

std::string_view ToString(Status status);
std::string_view ToString(Priority priority);
std::string_view ToString(OnExpire on_expire);
std::optional<Status> ParseStatus(std::string_view text);
std::optional<Priority> ParsePriority(std::string_view text);
std::optional<OnExpire> ParseOnExpire(std::string_view text);
// none=0 ... urgent=4: the order `sort=priority` uses.
int PriorityRank(Priority priority);

inline constexpr std::size_t kMaxTitleChars = 200;
inline constexpr std::size_t kMaxDescriptionChars = 10'000;
inline constexpr std::size_t kMaxLabels = 20;
inline constexpr std::size_t kMaxLabelChars = 50;
inline constexpr std::size_t kMaxChecklistItems = 100;
inline constexpr std::size_t kMaxChecklistTextChars = 500;
inline constexpr std::int64_t kMinTtlSeconds = 1;
inline constexpr std::int64_t kMaxTtlSeconds = 366LL * 24 * 3600;

// ChecklistItem: one step of a task.
struct ChecklistItem {
  std::string id;
  std::string text;
  bool done = false;
};

// What a change to a stored task was; infra/events/task_events.hpp names its event.
enum class TaskChange { kUpdated, kCompleted, kReopened };

// Task: the whole state of a task, as API.md's `task` object and the events carry it.
struct Task {
  std::string id;
  std::string owner_id;
  std::string title;
  std::string description;
  Status status = Status::kTodo;
  int progress = 0;
  Priority priority = Priority::kNone;
  std::vector<std::string> labels;
  std::vector<ChecklistItem> checklist;
  std::optional<Time> due_at;
  std::optional<Time> expires_at;
  OnExpire on_expire = OnExpire::kKeep;
  std::optional<Time> completed_at;
  std::optional<Time> expired_at;
  Time created_at{};
  Time updated_at{};
  std::int64_t version = 1;
};

// NewChecklistItem: an item given on create (text, optionally already done).
struct NewChecklistItem {
  std::string text;
  bool done = false;
};

// TaskDraft: the body of POST /v1/tasks after JSON type checks (strings are raw, untrimmed).
struct TaskDraft {
  std::string title;
  std::optional<std::string> description;
  std::optional<std::string> priority;
  std::optional<std::vector<std::string>> labels;
  std::optional<std::int64_t> progress;
  std::optional<std::vector<NewChecklistItem>> checklist;
  std::optional<Time> due_at;
  std::optional<Time> expires_at;
  std::optional<std::int64_t> ttl_seconds;
  std::optional<std::string> on_expire;
};

// TaskPatch: the body of PATCH /v1/tasks/{id} (JSON merge patch) after JSON type checks; each
// member is absent, an explicit null or a value (platform::Patch).
struct TaskPatch {
  platform::Patch<std::string> title;
  platform::Patch<std::string> description;
  platform::Patch<std::int64_t> progress;
  platform::Patch<std::string> priority;
  platform::Patch<std::vector<std::string>> labels;
  platform::Patch<Time> due_at;
  platform::Patch<Time> expires_at;
  platform::Patch<std::int64_t> ttl_seconds;
  platform::Patch<std::string> on_expire;
};

// Creation inputs that come from outside the body.
struct CreateContext {
  std::string id;
  std::string owner_id;
  Time now{};
  std::optional<std::int64_t> default_ttl_seconds;  // the owner's, from the user replica
  std::vector<std::string> checklist_ids;           // fresh ids, at least as many as items
};

// Validates a draft and builds the task (version 1). Every invalid field is reported at once
// (Error::Validation with one FieldError per problem). Rules, all from API.md:
// - title: trimmed, 1..200 characters (code points), no control characters;
// - description: up to 10,000 characters, control characters other than \n \r \t refused;
// - priority one of none/low/medium/high/urgent (default none);
// - labels: up to 20, each trimmed 1..50 characters, no control characters, duplicates refused;
// - checklist: up to 100 items, each trimmed text 1..500 characters; with a non-empty checklist
//   progress is derived and a client `progress` is refused (field "progress");
// - progress 0..100; above 0 gives in_progress, 100 gives done with completed_at = now;
// - expiry: expires_at (must be in the future) or ttl_seconds (1..366 days), not both (error
//   on both fields); neither: the owner's default TTL when set; on_expire keep (default) or
//   delete. A done task keeps its expires_at but never expires.
// Status invariant for tasks that are not expired: done exactly when completed_at is set, and
// a progress change moves the status: 100 -> done (completed_at = now), 1..99 -> in_progress,
// 0 -> todo (completed_at null when leaving done). The one exception is reopen (below).
platform::Result<Task> CreateTask(const TaskDraft& draft, const CreateContext& context);

// Applies a merge patch. Rules beyond CreateTask's:
// - an expired task accepts only a patch that moves expiry into the future (expires_at or
//   ttl_seconds, possibly with other fields); it then revives to the status its progress
//   implies and expired_at becomes null; any other patch of an expired task: Error::Conflict;
// - status is not patchable (the REST layer refuses it as read-only): it moves with progress,
//   complete and reopen;
// - progress with a non-empty checklist: validation error (field "progress");
// - expires_at null clears the expiry; ttl_seconds null is a validation error;
// - on every accepted change: version + 1 and updated_at = now; a patch that changes nothing
//   still counts as a change (version + 1).
// - null on title or progress: validation error; null on description, priority, labels,
//   on_expire resets the default ("", none, [], keep); due_at null clears it.
// - an expired task: a patch without a non-null expires_at/ttl_seconds is a Conflict; one with
//   them is validated like any other (a past expires_at is a 400 on expires_at).
platform::Result<Task> ApplyPatch(Task task, const TaskPatch& patch, Time now);

// complete: done, progress 100, every checklist item ticked, completed_at = now, version + 1.
// Error::Conflict for an expired task. Completing a done task changes nothing (same version).
platform::Result<Task> Complete(Task task, Time now);
// reopen: completed_at null; without a checklist progress becomes 0 and status todo; with one
// the ticks stay and status is in_progress when any item is ticked, else todo (even at 100%:
// the person reopened it; the next change that leaves progress at 100 completes it again).
// Conflict for expired; a task that is not done is returned unchanged (same version).
platform::Result<Task> Reopen(Task task, Time now);

// Checklist changes: Conflict on an expired task, NotFound("checklist item not found") for an
// unknown id, text trimmed 1..500 (field "text"), at most 100 items (field "checklist"). Each
// re-derives progress and status and bumps version; removing the last item keeps the last
// derived progress (and so the status), after which progress may be set by PATCH again.
platform::Result<Task> AddChecklistItem(Task task, std::string item_id, std::string_view text,
                                        Time now);
platform::Result<Task> UpdateChecklistItem(Task task, std::string_view item_id,
                                           std::optional<std::string_view> text,
                                           std::optional<bool> done, Time now);
platform::Result<Task> RemoveChecklistItem(Task task, std::string_view item_id, Time now);

// Done items over all items, rounded to the nearest integer (0 for an empty checklist).
int DeriveProgress(const std::vector<ChecklistItem>& checklist);
// The status a (not expired) task has for a progress: 0 todo, 1..99 in_progress, 100 done.
Status StatusForProgress(int progress);
// Whether the task is due to expire at `now` (not done, not already expired, expires_at <= now).
bool IsDue(const Task& task, Time now);
// Expires a due task: status expired, expired_at = now, version + 1, updated_at = now. A task
// that is not due (IsDue false) is returned unchanged.
Task Expire(Task task, Time now);

}  // namespace tasks::domain
