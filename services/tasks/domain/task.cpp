#include "domain/task.hpp"

#include <array>
#include <utility>

namespace tasks::domain {
namespace {

template <typename Enum, std::size_t N>
std::optional<Enum> ParseName(std::string_view text,
                              const std::array<std::pair<Enum, std::string_view>, N>& names) {
  for (const auto& [value, name] : names) {
    if (name == text) return value;
  }
  return std::nullopt;
}

template <typename Enum, std::size_t N>
std::string_view NameOf(Enum value, const std::array<std::pair<Enum, std::string_view>, N>& names) {
  for (const auto& [candidate, name] : names) {
    if (candidate == value) return name;
  }
  return "unknown";  // only reachable with a value cast from outside the enum
}

constexpr std::array<std::pair<Status, std::string_view>, 4> kStatusNames{{
    {Status::kTodo, "todo"},
    {Status::kInProgress, "in_progress"},
    {Status::kDone, "done"},
    {Status::kExpired, "expired"},
}};
constexpr std::array<std::pair<Priority, std::string_view>, 5> kPriorityNames{{
    {Priority::kNone, "none"},
    {Priority::kLow, "low"},
    {Priority::kMedium, "medium"},
    {Priority::kHigh, "high"},
    {Priority::kUrgent, "urgent"},
}};
constexpr std::array<std::pair<OnExpire, std::string_view>, 2> kOnExpireNames{{
    {OnExpire::kKeep, "keep"},
    {OnExpire::kDelete, "delete"},
}};

}  // namespace

std::string_view ToString(Status status) { return NameOf(status, kStatusNames); }
std::string_view ToString(Priority priority) { return NameOf(priority, kPriorityNames); }
std::string_view ToString(OnExpire on_expire) { return NameOf(on_expire, kOnExpireNames); }

std::optional<Status> ParseStatus(std::string_view text) { return ParseName(text, kStatusNames); }
std::optional<Priority> ParsePriority(std::string_view text) {
  return ParseName(text, kPriorityNames);
}
std::optional<OnExpire> ParseOnExpire(std::string_view text) {
  return ParseName(text, kOnExpireNames);
}

int PriorityRank(Priority priority) {
  switch (priority) {
    case Priority::kNone:
      return 0;
    case Priority::kLow:
      return 1;
    case Priority::kMedium:
      return 2;
    case Priority::kHigh:
      return 3;
    case Priority::kUrgent:
      return 4;
  }
  return 0;
}

int DeriveProgress(const std::vector<ChecklistItem>& checklist) {
  if (checklist.empty()) return 0;
  const auto total = static_cast<long long>(checklist.size());
  long long done = 0;
  for (const ChecklistItem& item : checklist) done += item.done ? 1 : 0;
  // Half rounds up, in integers so 1 of 8 is 13 on every platform. With at most 100 items
  // only a fully ticked list reaches 100 and only an unticked one stays at 0.
  return static_cast<int>((200 * done + total) / (2 * total));
}

Status StatusForProgress(int progress) {
  if (progress >= 100) return Status::kDone;
  if (progress > 0) return Status::kInProgress;
  return Status::kTodo;
}

bool IsDue(const Task& task, Time now) {
  if (task.status == Status::kDone || task.status == Status::kExpired) return false;
  return task.expires_at.has_value() && *task.expires_at <= now;
}

Task Expire(Task task, Time now) {
  // Not due (done meanwhile, revived, already expired): unchanged, so a sweeper that races a
  // user's change cannot expire a task the user just rescued.
  if (!IsDue(task, now)) return task;
  task.status = Status::kExpired;
  task.expired_at = now;
  task.version += 1;
  task.updated_at = now;
  return task;
}

}  // namespace tasks::domain
