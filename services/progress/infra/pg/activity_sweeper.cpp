#include "infra/pg/activity_sweeper.hpp"

#include <utility>

#include "infra/pg/queries.hpp"
#include "platform/metrics.hpp"

namespace progress::infra {

namespace {

platform::pg::SweepStatement SweepActivity(const ActivityWindow& window) {
  return {queries::kSweepActivity, {std::to_string(window.keep.count())}};
}

void CountSwept(std::int64_t rows) {
  static auto& counter = platform::metrics::DefaultRegistry().GetCounter(
      "progress_activity_swept_total", "activity rows deleted for falling out of the window");
  counter.Inc(static_cast<std::uint64_t>(rows));
}

}  // namespace

ActivitySweeper::ActivitySweeper(std::string pg_conninfo, const ActivityWindow& window)
    : sweeper_("progress-activity-sweeper", std::move(pg_conninfo), SweepActivity(window),
               window.sweep, CountSwept) {}

platform::pg::DbResult<std::int64_t> ActivitySweeper::SweepOnce(platform::pg::Connection& conn,
                                                                const ActivityWindow& window) {
  return platform::pg::Sweeper::SweepOnce(conn, SweepActivity(window), window.sweep.batch,
                                          CountSwept);
}

}  // namespace progress::infra
