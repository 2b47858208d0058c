#pragma once
// The JSON form of a task: API.md's `task` object, also the data of todo.task.* events.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/task.hpp"
#include "platform/json.hpp"

namespace tasks::infra {

void WriteTask(platform::JsonWriter& w, const domain::Task& task, bool with_owner = false);
std::string TaskJson(const domain::Task& task);
// The data of a todo.task.* event: the task plus owner_id (consumers need to know whose).
std::string TaskEventJson(const domain::Task& task);
// The checklist as stored in the tasks.checklist jsonb column.
std::string ChecklistJson(const std::vector<domain::ChecklistItem>& checklist);
// JSON array of strings (labels as a query parameter).
std::string StringArrayJson(const std::vector<std::string>& values);
// The readers of the two above (the tasks table's labels and checklist columns as text): nullopt
// when the text is not of that shape. A stored checklist item without "done" is not done.
std::optional<std::vector<std::string>> ParseStringArrayJson(std::string_view json);
std::optional<std::vector<domain::ChecklistItem>> ParseChecklistJson(std::string_view json);

}  // namespace tasks::infra
