#include "infra/pg/pg_progress_store.hpp"

#include "infra/pg/progress_rows.hpp"
#include "infra/pg/queries.hpp"
#include "platform/check.hpp"
#include "platform/try.hpp"
#include "platform/uuid.hpp"

namespace progress::infra {

namespace pg = platform::pg;
namespace q = queries;
using platform::Result;

namespace {

std::string Ms(domain::Time t) { return std::to_string(t.time_since_epoch().count()); }

}  // namespace

app::Async<std::string> PgProgressStore::TimeZone(std::string user_id) {
  auto work = [user_id](pg::Connection& conn) -> Result<std::string> {
    if (!platform::IsUuid(user_id)) return std::string("UTC");
    TODO_TRY(auto rows, conn.Execute(q::kTimeZone, {user_id}));
    if (rows.Empty()) return std::string("UTC");
    TODO_TRY(auto timezone, ReadTimeZone(rows.At(0)));
    return timezone;
  };
  return pool_.Run(std::move(work));
}

app::Async<app::Aggregates> PgProgressStore::Aggregate(std::string user_id, domain::Time now,
                                                       domain::Time today_start) {
  auto work = [user_id, now, today_start](pg::Connection& conn) -> Result<app::Aggregates> {
    if (!platform::IsUuid(user_id)) return app::Aggregates{};
    TODO_TRY(auto rows, conn.Execute(q::kAggregate, {user_id, Ms(now), Ms(today_start)}));
    TODO_CHECK(rows.Size() == 1, "an aggregate without GROUP BY is one row");
    TODO_TRY(auto aggregates, ReadAggregates(rows.At(0)));
    return aggregates;
  };
  return pool_.Run(std::move(work));
}

app::Async<std::vector<domain::ActivityPoint>> PgProgressStore::Points(std::string user_id,
                                                                       domain::Time since) {
  auto work = [user_id, since](pg::Connection& conn) -> Result<std::vector<domain::ActivityPoint>> {
    if (!platform::IsUuid(user_id)) return std::vector<domain::ActivityPoint>{};
    TODO_TRY(auto rows, conn.Execute(q::kPoints, {user_id, Ms(since)}));
    TODO_TRY(auto points, ReadPoints(rows));
    return points;
  };
  return pool_.Run(std::move(work));
}

app::Async<std::vector<domain::Time>> PgProgressStore::Completions(std::string user_id,
                                                                   domain::Time since) {
  auto work = [user_id, since](pg::Connection& conn) -> Result<std::vector<domain::Time>> {
    if (!platform::IsUuid(user_id)) return std::vector<domain::Time>{};
    TODO_TRY(auto rows, conn.Execute(q::kCompletions, {user_id, Ms(since)}));
    TODO_TRY(auto completions, ReadCompletions(rows));
    return completions;
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
    TODO_TRY(auto rows, conn.Execute(q::kActivity, {user_id, before, std::to_string(limit)}));
    TODO_TRY(auto items, ReadActivityItems(rows));
    return items;
  };
  return pool_.Run(std::move(work));
}

app::Async<std::vector<app::ActivityItem>> PgProgressStore::ActivitySince(std::string user_id,
                                                                          std::int64_t after_seq,
                                                                          int limit) {
  auto work = [user_id, after_seq,
               limit](pg::Connection& conn) -> Result<std::vector<app::ActivityItem>> {
    if (!platform::IsUuid(user_id)) return std::vector<app::ActivityItem>{};
    TODO_TRY(auto rows, conn.Execute(q::kActivitySince,
                                     {user_id, std::to_string(after_seq), std::to_string(limit)}));
    TODO_TRY(auto items, ReadActivityItems(rows));
    return items;
  };
  return pool_.Run(std::move(work));
}

app::Async<std::int64_t> PgProgressStore::LatestSeq(std::string user_id) {
  auto work = [user_id](pg::Connection& conn) -> Result<std::int64_t> {
    if (!platform::IsUuid(user_id)) return std::int64_t{0};
    TODO_TRY(auto rows, conn.Execute(q::kLatestSeq, {user_id}));
    TODO_CHECK(rows.Size() == 1, "max() without GROUP BY is one row");
    TODO_TRY(std::int64_t latest, ReadLatestSeq(rows.At(0)));
    return latest;
  };
  return pool_.Run(std::move(work));
}

}  // namespace progress::infra
