// Daily buckets: per local date, the distinct tasks created, completed and expired.
#include <set>
#include <tuple>

#include "domain/progress.hpp"

namespace progress::domain {
namespace {

// The counter of a day that a kind adds to; nullptr for kinds the buckets do not show.
int* CounterOf(DayCounts& counts, EventKind kind) {
  switch (kind) {
    case EventKind::kCreated:
      return &counts.created;
    case EventKind::kCompleted:
      return &counts.completed;
    case EventKind::kExpired:
      return &counts.expired;
    case EventKind::kUpdated:
    case EventKind::kReopened:
    case EventKind::kDeleted:
      return nullptr;
  }
  return nullptr;
}

}  // namespace

std::vector<DayCounts> DailyBuckets(std::span<const ActivityPoint> points, const Zone& zone,
                                    Time now, int days) {
  if (days < 1) return {};
  const Day today = zone.LocalDay(now);
  const Day first = today - std::chrono::days(days - 1);

  std::vector<DayCounts> buckets(static_cast<std::size_t>(days));
  for (int i = 0; i < days; ++i)
    buckets[static_cast<std::size_t>(i)].date = first + std::chrono::days(i);

  // A task completed, reopened and completed again on one day is one completed task that day.
  std::set<std::tuple<Day, EventKind, std::string_view>> counted;
  for (const ActivityPoint& point : points) {
    const Day day = zone.LocalDay(point.at);
    if (day < first || day > today) continue;
    DayCounts& bucket = buckets[static_cast<std::size_t>((day - first).count())];
    int* counter = CounterOf(bucket, point.kind);
    if (counter == nullptr) continue;
    if (counted.emplace(day, point.kind, point.task_id).second) ++*counter;
  }
  return buckets;
}

}  // namespace progress::domain
