#include <chrono>

#include "app/use_cases.hpp"
#include "platform/check.hpp"
#include "platform/try.hpp"

namespace progress::app {

namespace {

// How far back the streak looks: a streak longer than this is reported as this long.
constexpr std::chrono::days kStreakHorizon{3660};

// The person's time zone.
Async<std::shared_ptr<const domain::Zone>> ZoneOf(ProgressDeps& deps, const std::string& user_id) {
  TODO_CO_TRY(auto tz, co_await deps.store.TimeZone(user_id));
  auto zone = deps.zones.Find(tz);
  TODO_CO_CHECK(zone != nullptr, "an unknown zone falls back to UTC");
  co_return zone;
}

}  // namespace

Async<Summary> GetSummary(ProgressDeps& deps, std::string user_id) {
  TODO_CO_TRY(auto zone, co_await ZoneOf(deps, user_id));
  domain::Time now = deps.clock.Now();
  domain::Time today_start = zone->StartOfDay(zone->LocalDay(now));
  TODO_CO_TRY(auto aggregates, co_await deps.store.Aggregate(user_id, now, today_start));
  TODO_CO_TRY(auto completions, co_await deps.store.Completions(user_id, now - kStreakHorizon));
  Summary summary;
  summary.aggregates = aggregates;
  summary.completion_rate = domain::CompletionRate(aggregates.counts);
  summary.streak_days = domain::StreakDays(completions, *zone, now);
  summary.as_of = now;
  co_return summary;
}

Async<std::vector<domain::DayCounts>> GetDaily(ProgressDeps& deps, std::string user_id, int days) {
  TODO_CO_TRY(auto zone, co_await ZoneOf(deps, user_id));
  domain::Time now = deps.clock.Now();
  auto first_day = zone->LocalDay(now) - std::chrono::days(days - 1);
  TODO_CO_TRY(auto points, co_await deps.store.Points(user_id, zone->StartOfDay(first_day)));
  co_return domain::DailyBuckets(points, *zone, now, days);
}

Async<ActivityPage> GetActivity(ProgressDeps& deps, std::string user_id,
                                std::optional<std::int64_t> before_seq, int limit) {
  TODO_CO_CHECK(limit > 0, "an activity page holds at least one item");
  // One more than asked: whether a next page exists without a second query.
  TODO_CO_TRY(auto items, co_await deps.store.Activity(user_id, before_seq, limit + 1));
  ActivityPage page;
  page.items = std::move(items);
  if (static_cast<int>(page.items.size()) > limit) {
    page.items.resize(static_cast<std::size_t>(limit));
    page.next_before = page.items.back().seq;
  }
  co_return page;
}

}  // namespace progress::app
