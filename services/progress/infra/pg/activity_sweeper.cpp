#include "infra/pg/activity_sweeper.hpp"

#include <utility>

#include "infra/pg/queries.hpp"
#include "platform/log.hpp"
#include "platform/metrics.hpp"
#include "platform/try.hpp"

namespace progress::infra {

namespace pg = platform::pg;
using Next = platform::BackgroundLoop::Next;

namespace {

platform::BackgroundLoop::Backoff SweepBackoff(const ActivityWindow& window) {
  return {std::chrono::milliseconds(100), window.period};
}

platform::metrics::Counter& Swept() {
  static auto& counter = platform::metrics::DefaultRegistry().GetCounter(
      "progress_activity_swept_total", "activity rows deleted for falling out of the window");
  return counter;
}

}  // namespace

ActivitySweeper::ActivitySweeper(std::string pg_conninfo, ActivityWindow window)
    : conninfo_(std::move(pg_conninfo)),
      window_(window),
      loop_("progress-activity-sweeper", this, &ActivitySweeper::Step, SweepBackoff(window)) {}

ActivitySweeper::~ActivitySweeper() { Stop(); }

void ActivitySweeper::Start() { loop_.Start(); }

void ActivitySweeper::Stop() {
  loop_.Stop();
  conn_.reset();
}

pg::DbResult<std::int64_t> ActivitySweeper::SweepOnce(pg::Connection& conn,
                                                      const ActivityWindow& window) {
  std::int64_t total = 0;
  for (;;) {
    TODO_TRY(auto deleted,
             conn.Execute(queries::kSweepActivity,
                          {std::to_string(window.keep.count()), std::to_string(window.batch)}));
    total += deleted.AffectedRows();
    Swept().Inc(static_cast<std::uint64_t>(deleted.AffectedRows()));
    if (deleted.AffectedRows() < window.batch) return total;
  }
}

Next ActivitySweeper::Step() {
  if (!conn_) {
    auto opened = pg::Connection::Open(conninfo_);
    if (!opened) {
      platform::log::Warn("activity sweeper cannot reach PostgreSQL",
                          {{"error", opened.error().message}});
      return Next::Failed();
    }
    conn_ = std::move(*opened);
  }
  if (auto swept = SweepOnce(*conn_, window_); !swept) {
    platform::log::Warn("activity sweep failed", {{"error", swept.error().message}});
    conn_.reset();
    return Next::After(SweepBackoff(window_).first);
  }
  return Next::After(window_.period);
}

}  // namespace progress::infra
