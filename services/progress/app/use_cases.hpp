#pragma once
// The progress use cases: a person's summary, daily buckets and activity feed, from the read
// model alone.

#include "app/ports.hpp"

namespace progress::app {

// Summary: GET /v1/progress.
struct Summary {
  Aggregates aggregates;
  double completion_rate = 0;
  int streak_days = 0;
  domain::Time as_of;
};

// ActivityPage: GET /v1/activity.
struct ActivityPage {
  std::vector<ActivityItem> items;
  std::optional<std::int64_t> next_before;  // the cursor of the next page
};

// ProgressDeps: what the use cases run on.
struct ProgressDeps {
  ProgressStore& store;
  Zones& zones;
  Clock& clock;
};

Async<Summary> GetSummary(ProgressDeps& deps, std::string user_id);
Async<std::vector<domain::DayCounts>> GetDaily(ProgressDeps& deps, std::string user_id, int days);
Async<ActivityPage> GetActivity(ProgressDeps& deps, std::string user_id,
                                std::optional<std::int64_t> before_seq, int limit);

}  // namespace progress::app
