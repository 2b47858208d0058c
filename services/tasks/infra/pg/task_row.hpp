#pragma once
// ReadTask: a task from a result row, read by column name (the select list of
// queries/find_task.sql: the task's columns, its times as *_ms in Unix ms).

#include "domain/task.hpp"
#include "platform/pg/connection.hpp"

namespace tasks::infra {

// A row that is not a stored task (a column missing, NULL where a value must be, a number that
// is not one, labels or checklist that are not their JSON, an unknown status, priority or
// on_expire) is a DbError with IsMalformedRow(), naming the column.
platform::pg::DbResult<domain::Task> ReadTask(const platform::pg::Row& row);

// An optional time column in Unix ms.
platform::pg::RowResult<std::optional<domain::Time>> ReadOptionalTime(const platform::pg::Row& row,
                                                                      std::string_view column);

}  // namespace tasks::infra
