#include "infra/pg/task_row.hpp"

#include "infra/json/task_json.hpp"
#include "platform/try.hpp"

namespace tasks::infra {

namespace pg = platform::pg;

namespace {

// An enumeration's column: its text must be one of the enumeration's names.
template <typename T>
pg::RowResult<T> ReadName(const pg::Row& row, std::string_view column,
                          std::optional<T> (*parse)(std::string_view)) {
  TODO_TRY(auto text, row.Text(column));
  auto value = parse(text);
  if (!value) return std::unexpected(pg::RowError{std::string(column), "unknown value " + text});
  return *value;
}

}  // namespace

pg::RowResult<std::optional<domain::Time>> ReadOptionalTime(const pg::Row& row,
                                                            std::string_view column) {
  TODO_TRY(auto ms, row.OptionalInt(column));
  if (!ms) return std::optional<domain::Time>();
  return domain::Time(std::chrono::milliseconds(*ms));
}

pg::DbResult<domain::Task> ReadTask(const pg::Row& row) {
  domain::Task t;
  TODO_TRY(t.id, row.Text("id"));
  TODO_TRY(t.owner_id, row.Text("owner_id"));
  TODO_TRY(t.title, row.Text("title"));
  TODO_TRY(t.description, row.Text("description"));
  TODO_TRY(t.status, ReadName(row, "status", &domain::ParseStatus));
  TODO_TRY(auto progress, row.Int("progress"));
  t.progress = static_cast<int>(progress);
  TODO_TRY(t.priority, ReadName(row, "priority", &domain::ParsePriority));
  TODO_TRY(auto labels, row.Text("labels"));
  auto parsed_labels = ParseStringArrayJson(labels);
  if (!parsed_labels) return std::unexpected(pg::RowError{"labels", "not a JSON array of strings"});
  t.labels = std::move(*parsed_labels);
  TODO_TRY(auto checklist, row.Text("checklist"));
  auto parsed_checklist = ParseChecklistJson(checklist);
  if (!parsed_checklist) return std::unexpected(pg::RowError{"checklist", "not a JSON checklist"});
  t.checklist = std::move(*parsed_checklist);
  TODO_TRY(t.due_at, ReadOptionalTime(row, "due_at_ms"));
  TODO_TRY(t.expires_at, ReadOptionalTime(row, "expires_at_ms"));
  TODO_TRY(t.on_expire, ReadName(row, "on_expire", &domain::ParseOnExpire));
  TODO_TRY(t.completed_at, ReadOptionalTime(row, "completed_at_ms"));
  TODO_TRY(t.expired_at, ReadOptionalTime(row, "expired_at_ms"));
  TODO_TRY(auto created_ms, row.Int("created_at_ms"));
  t.created_at = domain::Time(std::chrono::milliseconds(created_ms));
  TODO_TRY(auto updated_ms, row.Int("updated_at_ms"));
  t.updated_at = domain::Time(std::chrono::milliseconds(updated_ms));
  TODO_TRY(t.version, row.Int("version"));
  return t;
}

}  // namespace tasks::infra
