#pragma once
// ActivitySweeper: keeps the activity feed to its window (TODO_ACTIVITY_RETENTION_DAYS, 90 by
// default): rows older than that are deleted in small batches, each its own statement, on a
// background loop of its own. Daily buckets and the streak, computed from the feed, reach back
// as far as the window does.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "platform/background_loop.hpp"
#include "platform/pg/connection.hpp"

namespace progress::infra {

// ActivityWindow: how long activity is kept, how often and how much is swept at a time.
struct ActivityWindow {
  std::chrono::seconds keep{std::chrono::hours(24 * 90)};
  std::chrono::milliseconds period{60000};
  int batch = 5000;
};

class ActivitySweeper {
 public:
  ActivitySweeper(std::string pg_conninfo, ActivityWindow window);
  ~ActivitySweeper();
  ActivitySweeper(const ActivitySweeper&) = delete;
  ActivitySweeper& operator=(const ActivitySweeper&) = delete;

  void Start();
  void Stop();
  // Deletes every row older than window.keep, window.batch rows per statement; how many.
  static platform::pg::DbResult<std::int64_t> SweepOnce(platform::pg::Connection& conn,
                                                        const ActivityWindow& window);

 private:
  platform::BackgroundLoop::Next Step();

  std::string conninfo_;
  ActivityWindow window_;
  std::unique_ptr<platform::pg::Connection> conn_;  // used only on the loop's thread
  platform::BackgroundLoop loop_;
};

}  // namespace progress::infra
