#include "infra/scheduler/expiry_scheduler.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <thread>

#include "infra/events/task_events.hpp"
#include "infra/pg/queries.hpp"
#include "infra/pg/task_row.hpp"
#include "platform/bus/outbox.hpp"
#include "platform/check.hpp"
#include "platform/log.hpp"
#include "platform/metrics.hpp"
#include "platform/time.hpp"
#include "platform/try.hpp"

namespace tasks::infra {

namespace pg = platform::pg;
using Next = platform::BackgroundLoop::Next;

namespace {

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

platform::metrics::Histogram& LagHistogram() {
  static auto& h = platform::metrics::DefaultRegistry().GetHistogram(
      "task_expiry_lag_seconds", "expired_at - expires_at of each expired task", {},
      {0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10, 60});
  return h;
}

// A row of expire_due.sql: the task's event (todo.task.expired with the expired task, or
// todo.task.deleted for on_expire "delete") and its lag.
pg::DbResult<platform::bus::EventDraft> ExpiryEvent(const pg::Row& row, std::int64_t& lag_ms) {
  TODO_TRY(auto task, ReadTask(row));
  TODO_TRY(auto outcome, row.Text("outcome"));
  TODO_TRY(lag_ms, row.Int("lag_ms"));
  if (outcome == "expired") return TaskStateEvent(kTaskExpired, task);
  if (outcome == "deleted") {
    return TaskDeletedEvent(task.id, task.owner_id, task.version + 1, DeletedBy::kExpiry,
                            task.title);
  }
  return std::unexpected(pg::RowError{"outcome", "unknown value " + outcome});
}

}  // namespace

ExpiryScheduler::ExpiryScheduler(std::string pg_conninfo, ExpiryOptions options,
                                 std::function<void(const std::vector<std::string>&)> on_expired)
    : conninfo_(std::move(pg_conninfo)),
      options_(options),
      on_expired_(std::move(on_expired)),
      loop_("expiry-scheduler", this, &ExpiryScheduler::Step) {}

ExpiryScheduler::~ExpiryScheduler() { Stop(); }

void ExpiryScheduler::Start() { loop_.Start(); }

void ExpiryScheduler::Stop() {
  loop_.Stop();
  conn_.reset();
}

pg::DbResult<std::vector<ExpiryScheduler::Expired>> ExpiryScheduler::ExpireBatch(
    pg::Connection& tx, std::optional<std::int64_t> instant) {
  auto started = std::chrono::steady_clock::now();
  pg::Param target;
  if (instant) target = std::to_string(*instant);
  TODO_TRY(auto rows, tx.Execute(queries::kExpireDue, {std::to_string(options_.batch), target}));
  std::vector<Expired> expired;
  if (rows.Empty()) return expired;
  std::vector<platform::bus::EventDraft> events;
  events.reserve(static_cast<std::size_t>(rows.Size()));
  expired.reserve(static_cast<std::size_t>(rows.Size()));
  for (int i = 0; i < rows.Size(); ++i) {
    Expired e;
    TODO_TRY(auto event, ExpiryEvent(rows.At(i), e.lag_ms));
    TODO_TRY(e.owner_id, rows.At(i).Text("owner_id"));
    events.push_back(std::move(event));
    expired.push_back(std::move(e));
  }
  TODO_TRY(auto batch_at_ms, rows.At(0).Int("batch_at_ms"));
  auto clock = platform::Clock::time_point(std::chrono::milliseconds(batch_at_ms));
  TODO_TRY_VOID(platform::bus::EnqueueEvents(tx, events, platform::FormatTimestamp(clock)));
  LearnCost(rows.Size(), std::chrono::steady_clock::now() - started);
  return expired;
}

void ExpiryScheduler::LearnCost(std::int64_t tasks, std::chrono::steady_clock::duration took) {
  double micros =
      static_cast<double>(std::chrono::duration_cast<std::chrono::microseconds>(took).count());
  batch_micros_ = batch_micros_ == 0.0 ? micros : (0.7 * batch_micros_) + (0.3 * micros);
  // Small batches are dominated by the statement's fixed cost: learn only from sizeable ones.
  if (tasks >= 100) {
    micros_per_task_ = (0.7 * micros_per_task_) + (0.3 * (micros / static_cast<double>(tasks)));
  }
}

void ExpiryScheduler::Committed(const std::vector<std::vector<Expired>>& batches) {
  std::vector<std::string> owners;
  std::int64_t total = 0;
  for (const auto& batch : batches) {
    for (const auto& e : batch) {
      LagHistogram().Observe(static_cast<double>(e.lag_ms) / 1000.0);
      owners.push_back(e.owner_id);
    }
    total += static_cast<std::int64_t>(batch.size());
  }
  if (on_expired_ && !owners.empty()) {
    std::ranges::sort(owners);
    auto duplicates = std::ranges::unique(owners);
    owners.erase(duplicates.begin(), duplicates.end());
    on_expired_(owners);
  }
  if (total > 0) {
    expired_total_ += total;
    static auto& counter = platform::metrics::DefaultRegistry().GetCounter(
        "tasks_expired_total", "tasks expired (or deleted on expiry) by the scheduler");
    counter.Inc(static_cast<std::uint64_t>(total));
  }
}

pg::DbResult<std::int64_t> ExpiryScheduler::RunOnce(pg::Connection& conn) {
  std::int64_t total = 0;
  for (;;) {
    TODO_TRY(auto expired,
             conn.Transaction([&](pg::Connection& tx) { return ExpireBatch(tx, std::nullopt); }));
    auto size = static_cast<std::int64_t>(expired.size());
    std::vector<std::vector<Expired>> batches;
    batches.push_back(std::move(expired));
    Committed(batches);
    total += size;
    if (size < options_.batch) break;
  }
  return total;
}

pg::DbResult<std::int64_t> ExpiryScheduler::ExpireAt(pg::Connection& conn, std::int64_t instant) {
  std::vector<std::vector<Expired>> batches;
  TODO_TRY_VOID(conn.Transaction([&](pg::Connection& tx) -> pg::DbResult<void> {
    for (;;) {
      // A batch that would end after the instant waits for the next transaction: its rows
      // would otherwise carry the instant but turn visible later.
      auto expected_end = NowMs() + static_cast<std::int64_t>(batch_micros_ / 1000.0);
      if (!batches.empty() && expected_end >= instant) break;
      TODO_TRY(auto expired, ExpireBatch(tx, instant));
      bool last = static_cast<std::int64_t>(expired.size()) < options_.batch;
      batches.push_back(std::move(expired));
      if (last) break;
    }
    // Commit at the instant: before it, no reader may see these tasks expired.
    std::this_thread::sleep_until(
        std::chrono::system_clock::time_point(std::chrono::milliseconds(instant)));
    return {};
  }));
  Committed(batches);
  std::int64_t total = 0;
  for (const auto& batch : batches) total += static_cast<std::int64_t>(batch.size());
  return total;
}

std::chrono::milliseconds ExpiryScheduler::LeadFor(pg::Connection& conn,
                                                   std::int64_t instant) const {
  constexpr std::chrono::milliseconds kMinimum{10};
  auto cap = static_cast<std::int64_t>(options_.batch) * 50;
  auto rows = conn.Execute(queries::kCountDueAt, {std::to_string(instant), std::to_string(cap)});
  if (!rows || rows->Empty()) return kMinimum;
  auto due = rows->At(0).Int("due");
  if (!due) return kMinimum;
  // This scheduler's share, with a quarter to spare.
  double share = static_cast<double>(*due) / std::max(1, options_.workers);
  auto work = std::chrono::milliseconds(
      static_cast<std::int64_t>(share * micros_per_task_ * 1.25 / 1000.0));
  return std::clamp(work + kMinimum, kMinimum, std::max(kMinimum, options_.max_lead));
}

Next ExpiryScheduler::Step() {
  if (!conn_) {
    auto opened = pg::Connection::Open(conninfo_);
    if (!opened) {
      platform::log::Warn("expiry scheduler cannot reach PostgreSQL",
                          {{"error", opened.error().message}});
      return Next::Failed();
    }
    if (!(*opened)->ExecuteScript("LISTEN task_expiry")) return Next::Failed();
    conn_ = std::move(*opened);
  }
  // A failed round (the database gone, a malformed row) reconnects after the back-off, so a
  // row that keeps failing cannot spin the scheduler.
  if (!Round(*conn_)) {
    conn_.reset();
    return Next::Failed();
  }
  return Next::Now();
}

bool ExpiryScheduler::Round(pg::Connection& conn) {
  // Catch up first: everything due now, even after downtime.
  if (auto done = RunOnce(conn); !done) {
    platform::log::Warn("expiry batch failed", {{"error", done.error().message}});
    return false;
  }
  auto next = conn.Execute(queries::kNextExpiry);
  if (!next) return false;
  if (next->Size() != 1) {
    (void)platform::BrokenInvariant("an aggregate without GROUP BY returns one row");
    return false;
  }
  auto instant = next->At(0).OptionalInt("next_expiry_ms");
  if (!instant) {
    platform::log::Warn("expiry scheduler read a malformed row",
                        {{"error", instant.error().Message()}});
    return false;
  }
  std::int64_t now = NowMs();
  std::int64_t wake = now + options_.max_sleep.count();
  if (*instant && **instant - now <= options_.max_lead.count()) {
    auto lead = LeadFor(conn, **instant).count();
    if (**instant - now <= lead) {
      auto done = ExpireAt(conn, **instant);
      if (!done) {
        platform::log::Warn("expiry batch failed", {{"error", done.error().message}});
        return false;
      }
      // Nothing left for this scheduler (another holds the rest): let it commit first.
      if (*done == 0) (void)conn.WaitNotification(std::chrono::milliseconds(10));
      return true;
    }
    wake = std::min(wake, **instant - lead);
  } else if (*instant) {
    wake = std::min(wake, **instant - options_.max_lead.count());
  }
  WaitForWork(conn, wake, instant->value_or(std::numeric_limits<std::int64_t>::max()));
  return conn.Healthy();
}

void ExpiryScheduler::WaitForWork(pg::Connection& conn, std::int64_t wake, std::int64_t target) {
  // WaitNotification cannot be interrupted: waiting in slices of 100 ms notices Stop().
  bool recompute = false;
  while (!loop_.Stopping() && !recompute) {
    std::int64_t left = wake - NowMs();
    if (left <= 0) break;
    auto note = conn.WaitNotification(std::chrono::milliseconds(std::min<std::int64_t>(left, 100)));
    if (!note) break;
    while (note && *note) {
      std::int64_t announced = 0;
      const auto& payload = (*note)->second;
      std::from_chars(payload.data(), payload.data() + payload.size(), announced);
      if (announced < target) recompute = true;
      note = conn.WaitNotification(std::chrono::milliseconds(0));
    }
  }
}

}  // namespace tasks::infra
