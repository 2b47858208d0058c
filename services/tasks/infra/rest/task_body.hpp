#pragma once
// Reading task request bodies: JSON types and unknown fields here, task rules in the domain.

#include <optional>
#include <string>
#include <string_view>

#include "domain/task.hpp"
#include "platform/error.hpp"

namespace tasks::infra {

platform::Result<domain::TaskDraft> ParseTaskDraft(std::string_view body);
platform::Result<domain::TaskPatch> ParseTaskPatch(std::string_view body);

// ChecklistItemChange: the body of PATCH /v1/tasks/{id}/checklist/{item_id}; absent fields stay.
struct ChecklistItemChange {
  std::optional<std::string> text;
  std::optional<bool> done;
};

// The text of a new checklist item (POST /v1/tasks/{id}/checklist).
platform::Result<std::string> ParseChecklistItemText(std::string_view body);
platform::Result<ChecklistItemChange> ParseChecklistItemChange(std::string_view body);

}  // namespace tasks::infra
