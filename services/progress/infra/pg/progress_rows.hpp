#pragma once
// The read model's rows, read by column name into what the store returns. A row not of the
// expected shape (a column missing or NULL, text that is not a number) is a DbError marked
// malformed_row, never a guess.

#include <cstdint>
#include <string>
#include <vector>

#include "app/ports.hpp"
#include "platform/pg/connection.hpp"

namespace progress::infra {

// The time zone of a person's row (queries/time_zone.sql).
platform::pg::DbResult<std::string> ReadTimeZone(const platform::pg::Row& row);
// The one row of queries/aggregate.sql.
platform::pg::DbResult<app::Aggregates> ReadAggregates(const platform::pg::Row& row);
// The one row of queries/latest_seq.sql.
platform::pg::DbResult<std::int64_t> ReadLatestSeq(const platform::pg::Row& row);
// The rows of queries/points.sql; a kind that is not a task event's is skipped.
platform::pg::DbResult<std::vector<domain::ActivityPoint>> ReadPoints(
    const platform::pg::Rows& rows);
// The rows of queries/completions.sql.
platform::pg::DbResult<std::vector<domain::Time>> ReadCompletions(const platform::pg::Rows& rows);
// The rows of queries/activity.sql and queries/activity_since.sql.
platform::pg::DbResult<std::vector<app::ActivityItem>> ReadActivityItems(
    const platform::pg::Rows& rows);

}  // namespace progress::infra
