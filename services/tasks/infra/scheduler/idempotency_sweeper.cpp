#include "infra/scheduler/idempotency_sweeper.hpp"

#include <algorithm>
#include <utility>

#include "infra/pg/task_queries.hpp"
#include "platform/log.hpp"

namespace tasks::infra {

namespace pg = platform::pg;

IdempotencyKeySweeper::IdempotencyKeySweeper(std::string pg_conninfo, SweepOptions options)
    : conninfo_(std::move(pg_conninfo)), options_(options) {}

IdempotencyKeySweeper::~IdempotencyKeySweeper() { Stop(); }

void IdempotencyKeySweeper::Start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
}

void IdempotencyKeySweeper::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

pg::DbResult<std::int64_t> IdempotencyKeySweeper::SweepOnce(pg::Connection& conn, int batch) {
  std::int64_t total = 0;
  for (;;) {
    auto deleted = conn.Execute(queries::kSweepKeys, {std::to_string(batch)});
    if (!deleted) return std::unexpected(deleted.error());
    total += deleted->AffectedRows();
    if (deleted->AffectedRows() < batch) return total;
  }
}

bool IdempotencyKeySweeper::Pause(std::chrono::milliseconds d) {
  std::unique_lock lock(mutex_);
  return !wake_.wait_for(lock, d, [this] { return stopping_; });
}

void IdempotencyKeySweeper::Loop() {
  std::chrono::milliseconds backoff{100};
  for (;;) {
    auto opened = pg::Connection::Open(conninfo_);
    if (!opened) {
      platform::log::Warn("idempotency key sweeper cannot reach PostgreSQL",
                          {{"error", opened.error().message}});
      if (!Pause(backoff)) return;
      backoff = std::min(backoff * 2, options_.period);
      continue;
    }
    backoff = std::chrono::milliseconds(100);
    for (;;) {
      auto swept = SweepOnce(**opened, options_.batch);
      if (!swept) {
        platform::log::Warn("idempotency key sweep failed", {{"error", swept.error().message}});
        break;  // reconnect
      }
      if (!Pause(options_.period)) return;
    }
    if (!Pause(backoff)) return;
  }
}

}  // namespace tasks::infra
