#include <chrono>

#include "app/use_cases.hpp"

namespace progress::app {

namespace {

// How far back the streak looks: a streak longer than this is reported as this long.
constexpr std::chrono::days kStreakHorizon{3660};

}  // namespace

Async<Summary> GetSummary(ProgressDeps& deps, std::string user_id) {
  auto tz = co_await deps.store.TimeZone(user_id);
  if (!tz) co_return std::unexpected(tz.error());
  auto zone = deps.zones.Find(*tz);
  domain::Time now = deps.clock.Now();
  domain::Time today_start = zone->StartOfDay(zone->LocalDay(now));
  auto aggregates = co_await deps.store.Aggregate(user_id, now, today_start);
  if (!aggregates) co_return std::unexpected(aggregates.error());
  auto completions = co_await deps.store.Completions(user_id, now - kStreakHorizon);
  if (!completions) co_return std::unexpected(completions.error());
  Summary summary;
  summary.aggregates = *aggregates;
  summary.completion_rate = domain::CompletionRate(aggregates->counts);
  summary.streak_days = domain::StreakDays(*completions, *zone, now);
  summary.as_of = now;
  co_return summary;
}

Async<std::vector<domain::DayCounts>> GetDaily(ProgressDeps& deps, std::string user_id, int days) {
  auto tz = co_await deps.store.TimeZone(user_id);
  if (!tz) co_return std::unexpected(tz.error());
  auto zone = deps.zones.Find(*tz);
  domain::Time now = deps.clock.Now();
  auto first_day = zone->LocalDay(now) - std::chrono::days(days - 1);
  auto points = co_await deps.store.Points(user_id, zone->StartOfDay(first_day));
  if (!points) co_return std::unexpected(points.error());
  co_return domain::DailyBuckets(*points, *zone, now, days);
}

Async<ActivityPage> GetActivity(ProgressDeps& deps, std::string user_id,
                                std::optional<std::int64_t> before_seq, int limit) {
  // One more than asked: whether a next page exists without a second query.
  auto items = co_await deps.store.Activity(user_id, before_seq, limit + 1);
  if (!items) co_return std::unexpected(items.error());
  ActivityPage page;
  page.items = std::move(*items);
  if (static_cast<int>(page.items.size()) > limit) {
    page.items.resize(static_cast<std::size_t>(limit));
    page.next_before = page.items.back().seq;
  }
  co_return page;
}

}  // namespace progress::app
