#include "infra/scheduler/idempotency_sweeper.hpp"

#include <utility>

#include "infra/pg/queries.hpp"
#include "platform/log.hpp"
#include "platform/try.hpp"

namespace tasks::infra {

namespace pg = platform::pg;
using Next = platform::BackgroundLoop::Next;

namespace {

// The back-off while PostgreSQL cannot be reached: doubles from 100 ms up to one period.
platform::BackgroundLoop::Backoff SweepBackoff(const SweepOptions& options) {
  return {std::chrono::milliseconds(100), options.period};
}

}  // namespace

IdempotencyKeySweeper::IdempotencyKeySweeper(std::string pg_conninfo, SweepOptions options)
    : conninfo_(std::move(pg_conninfo)),
      options_(options),
      loop_("idempotency-key-sweeper", this, &IdempotencyKeySweeper::Step, SweepBackoff(options)) {}

IdempotencyKeySweeper::~IdempotencyKeySweeper() { Stop(); }

void IdempotencyKeySweeper::Start() { loop_.Start(); }

void IdempotencyKeySweeper::Stop() {
  loop_.Stop();
  conn_.reset();
}

pg::DbResult<std::int64_t> IdempotencyKeySweeper::SweepOnce(pg::Connection& conn, int batch) {
  std::int64_t total = 0;
  for (;;) {
    TODO_TRY(auto deleted, conn.Execute(queries::kSweepKeys, {std::to_string(batch)}));
    total += deleted.AffectedRows();
    if (deleted.AffectedRows() < batch) return total;
  }
}

Next IdempotencyKeySweeper::Step() {
  if (!conn_) {
    auto opened = pg::Connection::Open(conninfo_);
    if (!opened) {
      platform::log::Warn("idempotency key sweeper cannot reach PostgreSQL",
                          {{"error", opened.error().message}});
      return Next::Failed();
    }
    conn_ = std::move(*opened);
  }
  if (auto swept = SweepOnce(*conn_, options_.batch); !swept) {
    platform::log::Warn("idempotency key sweep failed", {{"error", swept.error().message}});
    conn_.reset();
    // Reconnects after the first back-off; a failure to connect then backs off further.
    return Next::After(SweepBackoff(options_).first);
  }
  return Next::After(options_.period);
}

}  // namespace tasks::infra
