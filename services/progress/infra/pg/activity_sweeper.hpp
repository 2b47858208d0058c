#pragma once
// ActivitySweeper: keeps the activity feed to its window (TODO_ACTIVITY_RETENTION_DAYS, 90 by
// default): rows older than that are deleted in small batches (platform::pg::Sweeper does the
// work). Daily buckets and the streak, computed from the feed, reach back as far as the window
// does.

#include <chrono>
#include <cstdint>
#include <string>

#include "platform/pg/sweeper.hpp"

namespace progress::infra {

// ActivityWindow: how long activity is kept, how often and how much is swept at a time.
struct ActivityWindow {
  std::chrono::seconds keep{std::chrono::hours(24 * 90)};
  platform::pg::SweepOptions sweep{std::chrono::milliseconds(60000), 5000};
};

class ActivitySweeper {
 public:
  ActivitySweeper(std::string pg_conninfo, const ActivityWindow& window);

  void Start() { sweeper_.Start(); }
  void Stop() { sweeper_.Stop(); }
  // Deletes every row older than window.keep, window.sweep.batch rows per statement; how many.
  static platform::pg::DbResult<std::int64_t> SweepOnce(platform::pg::Connection& conn,
                                                        const ActivityWindow& window);

 private:
  platform::pg::Sweeper sweeper_;
};

}  // namespace progress::infra
