// Task event types: the bus names them "todo.task.<kind>"; the read model works with EventKind.
#include <array>
#include <utility>

#include "domain/progress.hpp"

namespace progress::domain {
namespace {

constexpr std::string_view kTaskEventPrefix = "todo.task.";

constexpr std::array<std::pair<EventKind, std::string_view>, 6> kKindNames{{
    {EventKind::kCreated, "created"},
    {EventKind::kUpdated, "updated"},
    {EventKind::kCompleted, "completed"},
    {EventKind::kReopened, "reopened"},
    {EventKind::kExpired, "expired"},
    {EventKind::kDeleted, "deleted"},
}};

}  // namespace

std::optional<EventKind> ParseTaskEventType(std::string_view type) {
  if (!type.starts_with(kTaskEventPrefix)) return std::nullopt;
  type.remove_prefix(kTaskEventPrefix.size());
  for (const auto& [kind, name] : kKindNames) {
    if (name == type) return kind;
  }
  return std::nullopt;
}

std::string_view ToString(EventKind kind) {
  for (const auto& [known, name] : kKindNames) {
    if (known == kind) return name;
  }
  // Only a value cast into the enum from outside its range gets here.
  return "unknown";
}

}  // namespace progress::domain
