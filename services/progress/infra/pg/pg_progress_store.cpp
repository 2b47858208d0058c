#include "infra/pg/pg_progress_store.hpp"

#include "infra/pg/progress_queries.hpp"
#include "platform/uuid.hpp"

namespace progress::infra {

namespace pg = platform::pg;
namespace q = queries;
using platform::Result;

namespace {

std::string Ms(domain::Time t) { return std::to_string(t.time_since_epoch().count()); }

domain::Time FromMs(std::int64_t ms) { return domain::Time(std::chrono::milliseconds(ms)); }

template <typename T>
Result<T> Failed(const pg::DbError& error) {
  return std::unexpected(error.ToError());
}

std::vector<app::ActivityItem> ReadItems(const pg::Rows& rows) {
  std::vector<app::ActivityItem> items;
  items.reserve(static_cast<std::size_t>(rows.Size()));
  for (int i = 0; i < rows.Size(); ++i) {
    app::ActivityItem item;
    item.seq = rows.Int(i, 0);
    item.event_id = rows.Text(i, 1);
    item.kind = domain::ParseTaskEventType("todo.task." + rows.Text(i, 2))
                    .value_or(domain::EventKind::kUpdated);
    item.task_id = rows.Text(i, 3);
    item.title = rows.Text(i, 4);
    item.at = FromMs(rows.Int(i, 5));
    item.task_json = rows.Text(i, 6);
    items.push_back(std::move(item));
  }
  return items;
}

}  // namespace

app::Async<std::string> PgProgressStore::TimeZone(std::string user_id) {
  auto work = [user_id](pg::Connection& conn) -> Result<std::string> {
    if (!platform::IsUuid(user_id)) return std::string("UTC");
    auto rows = conn.Execute(q::kTimeZone, {user_id});
    if (!rows) return Failed<std::string>(rows.error());
    return rows->Empty() ? std::string("UTC") : rows->Text(0, 0);
  };
  return pool_.Run(std::move(work));
}

app::Async<app::Aggregates> PgProgressStore::Aggregate(std::string user_id, domain::Time now,
                                                       domain::Time today_start) {
  auto work = [user_id, now, today_start](pg::Connection& conn) -> Result<app::Aggregates> {
    app::Aggregates out;
    if (!platform::IsUuid(user_id)) return out;
    auto rows = conn.Execute(q::kAggregate, {user_id, Ms(now), Ms(today_start)});
    if (!rows) return Failed<app::Aggregates>(rows.error());
    out.counts.todo = rows->Int(0, 0);
    out.counts.in_progress = rows->Int(0, 1);
    out.counts.done = rows->Int(0, 2);
    out.counts.expired = rows->Int(0, 3);
    out.average_progress = std::stod(rows->Text(0, 4));
    out.overdue = rows->Int(0, 5);
    out.expiring_within_24h = rows->Int(0, 6);
    out.completed_today = rows->Int(0, 7);
    return out;
  };
  return pool_.Run(std::move(work));
}

app::Async<std::vector<domain::ActivityPoint>> PgProgressStore::Points(std::string user_id,
                                                                       domain::Time since) {
  auto work = [user_id, since](pg::Connection& conn) -> Result<std::vector<domain::ActivityPoint>> {
    std::vector<domain::ActivityPoint> points;
    if (!platform::IsUuid(user_id)) return points;
    auto rows = conn.Execute(q::kPoints, {user_id, Ms(since)});
    if (!rows) return Failed<std::vector<domain::ActivityPoint>>(rows.error());
    points.reserve(static_cast<std::size_t>(rows->Size()));
    for (int i = 0; i < rows->Size(); ++i) {
      auto kind = domain::ParseTaskEventType("todo.task." + rows->Text(i, 0));
      if (!kind) continue;
      points.push_back({*kind, rows->Text(i, 1), FromMs(rows->Int(i, 2))});
    }
    return points;
  };
  return pool_.Run(std::move(work));
}

app::Async<std::vector<domain::Time>> PgProgressStore::Completions(std::string user_id,
                                                                   domain::Time since) {
  auto work = [user_id, since](pg::Connection& conn) -> Result<std::vector<domain::Time>> {
    std::vector<domain::Time> out;
    if (!platform::IsUuid(user_id)) return out;
    auto rows = conn.Execute(q::kCompletions, {user_id, Ms(since)});
    if (!rows) return Failed<std::vector<domain::Time>>(rows.error());
    out.reserve(static_cast<std::size_t>(rows->Size()));
    for (int i = 0; i < rows->Size(); ++i) out.push_back(FromMs(rows->Int(i, 0)));
    return out;
  };
  return pool_.Run(std::move(work));
}

app::Async<std::vector<app::ActivityItem>> PgProgressStore::Activity(
    std::string user_id, std::optional<std::int64_t> before_seq, int limit) {
  auto work = [user_id, before_seq,
               limit](pg::Connection& conn) -> Result<std::vector<app::ActivityItem>> {
    if (!platform::IsUuid(user_id)) return std::vector<app::ActivityItem>{};
    pg::Param before;
    if (before_seq) before = std::to_string(*before_seq);
    auto rows = conn.Execute(q::kActivity, {user_id, before, std::to_string(limit)});
    if (!rows) return Failed<std::vector<app::ActivityItem>>(rows.error());
    return ReadItems(*rows);
  };
  return pool_.Run(std::move(work));
}

app::Async<std::vector<app::ActivityItem>> PgProgressStore::ActivitySince(std::string user_id,
                                                                          std::int64_t after_seq,
                                                                          int limit) {
  auto work = [user_id, after_seq,
               limit](pg::Connection& conn) -> Result<std::vector<app::ActivityItem>> {
    if (!platform::IsUuid(user_id)) return std::vector<app::ActivityItem>{};
    auto rows = conn.Execute(q::kActivitySince,
                             {user_id, std::to_string(after_seq), std::to_string(limit)});
    if (!rows) return Failed<std::vector<app::ActivityItem>>(rows.error());
    return ReadItems(*rows);
  };
  return pool_.Run(std::move(work));
}

app::Async<std::int64_t> PgProgressStore::LatestSeq(std::string user_id) {
  auto work = [user_id](pg::Connection& conn) -> Result<std::int64_t> {
    if (!platform::IsUuid(user_id)) return std::int64_t{0};
    auto rows = conn.Execute(q::kLatestSeq, {user_id});
    if (!rows) return Failed<std::int64_t>(rows.error());
    return rows->Int(0, 0);
  };
  return pool_.Run(std::move(work));
}

}  // namespace progress::infra
