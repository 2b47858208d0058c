#include "infra/pg/progress_rows.hpp"

#include <charconv>
#include <string_view>

#include "platform/try.hpp"

namespace progress::infra {

namespace pg = platform::pg;

namespace {

domain::Time FromMs(std::int64_t ms) { return domain::Time(std::chrono::milliseconds(ms)); }

// PostgreSQL's text of a float8.
pg::DbResult<double> Double(const pg::Row& row, std::string_view column) {
  TODO_TRY(std::string text, row.Text(column));
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return std::unexpected(pg::RowError{std::string(column), "not a number: " + text});
  }
  return value;
}

// The activity's kind column holds the last part of a task event's type ("created" ...).
std::optional<domain::EventKind> Kind(const std::string& kind) {
  return domain::ParseTaskEventType("todo.task." + kind);
}

pg::DbResult<app::ActivityItem> ReadActivityItem(const pg::Row& row) {
  app::ActivityItem item;
  TODO_TRY(item.seq, row.Int("seq"));
  TODO_TRY(item.event_id, row.Text("event_id"));
  TODO_TRY(std::string kind, row.Text("kind"));
  item.kind = Kind(kind).value_or(domain::EventKind::kUpdated);
  TODO_TRY(item.task_id, row.Text("task_id"));
  TODO_TRY(item.title, row.Text("title"));
  TODO_TRY(std::int64_t at_ms, row.Int("at_ms"));
  item.at = FromMs(at_ms);
  TODO_TRY(item.task_json, row.Text("task"));
  return item;
}

}  // namespace

pg::DbResult<std::string> ReadTimeZone(const pg::Row& row) {
  TODO_TRY(std::string timezone, row.Text("timezone"));
  return timezone;
}

pg::DbResult<app::Aggregates> ReadAggregates(const pg::Row& row) {
  app::Aggregates out;
  TODO_TRY(out.counts.todo, row.Int("todo"));
  TODO_TRY(out.counts.in_progress, row.Int("in_progress"));
  TODO_TRY(out.counts.done, row.Int("done"));
  TODO_TRY(out.counts.expired, row.Int("expired"));
  TODO_TRY(out.average_progress, Double(row, "average_progress"));
  TODO_TRY(out.overdue, row.Int("overdue"));
  TODO_TRY(out.expiring_within_24h, row.Int("expiring_within_24h"));
  TODO_TRY(out.completed_today, row.Int("completed_today"));
  return out;
}

pg::DbResult<std::int64_t> ReadLatestSeq(const pg::Row& row) {
  TODO_TRY(std::int64_t latest, row.Int("latest_seq"));
  return latest;
}

pg::DbResult<std::vector<domain::ActivityPoint>> ReadPoints(const pg::Rows& rows) {
  std::vector<domain::ActivityPoint> points;
  points.reserve(static_cast<std::size_t>(rows.Size()));
  for (int i = 0; i < rows.Size(); ++i) {
    auto row = rows.At(i);
    TODO_TRY(std::string kind_text, row.Text("kind"));
    TODO_TRY(std::string task_id, row.Text("task_id"));
    TODO_TRY(std::int64_t at_ms, row.Int("at_ms"));
    auto kind = Kind(kind_text);
    if (!kind) continue;
    points.push_back({*kind, std::move(task_id), FromMs(at_ms)});
  }
  return points;
}

pg::DbResult<std::vector<domain::Time>> ReadCompletions(const pg::Rows& rows) {
  std::vector<domain::Time> out;
  out.reserve(static_cast<std::size_t>(rows.Size()));
  for (int i = 0; i < rows.Size(); ++i) {
    TODO_TRY(std::int64_t ms, rows.At(i).Int("completed_at_ms"));
    out.push_back(FromMs(ms));
  }
  return out;
}

pg::DbResult<std::vector<app::ActivityItem>> ReadActivityItems(const pg::Rows& rows) {
  std::vector<app::ActivityItem> items;
  items.reserve(static_cast<std::size_t>(rows.Size()));
  for (int i = 0; i < rows.Size(); ++i) {
    TODO_TRY(auto item, ReadActivityItem(rows.At(i)));
    items.push_back(std::move(item));
  }
  return items;
}

}  // namespace progress::infra
