#include "infra/scheduler/expiry_scheduler.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <thread>

#include "infra/pg/pg_task_repository.hpp"
#include "infra/json/task_json.hpp"
#include "infra/pg/task_queries.hpp"
#include "platform/bus/outbox.hpp"
#include "platform/json.hpp"
#include "platform/log.hpp"
#include "platform/metrics.hpp"
#include "platform/time.hpp"

namespace tasks::infra {

namespace pg = platform::pg;

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

// The todo.task.expired event carries the expired task; todo.task.deleted (on_expire "delete")
// only what identifies it, as for a user's delete, with the reason.
platform::bus::EventDraft ExpiryEvent(const domain::Task& task, bool deleted) {
  if (!deleted) {
    return {"todo.task.expired", "/tasks", task.id, task.version, TaskEventJson(task), ""};
  }
  platform::JsonWriter w;
  w.StartObject();
  w.Field("id", task.id);
  w.Field("owner_id", task.owner_id);
  w.Field("version", task.version + 1);
  w.Field("reason", "expired");
  w.EndObject();
  return {"todo.task.deleted", "/tasks", task.id, task.version + 1, w.Take(), ""};
}

}  // namespace

ExpiryScheduler::ExpiryScheduler(std::string pg_conninfo, ExpiryOptions options,
                                 std::function<void(const std::vector<std::string>&)> on_expired)
    : conninfo_(std::move(pg_conninfo)), options_(options), on_expired_(std::move(on_expired)) {}

ExpiryScheduler::~ExpiryScheduler() { Stop(); }

void ExpiryScheduler::Start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void ExpiryScheduler::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

pg::DbResult<pg::Rows> ExpiryScheduler::ExpireBatch(pg::Connection& tx,
                                                    std::optional<std::int64_t> instant) {
  auto started = std::chrono::steady_clock::now();
  pg::Param target;
  if (instant) target = std::to_string(*instant);
  auto r = tx.Execute(queries::kExpireDue, {std::to_string(options_.batch), target});
  if (!r) return std::unexpected(r.error());
  if (r->Empty()) return r;
  // Columns: the task (ReadTask's 17), "expired" or "deleted", lag ms, the batch's instant ms.
  std::vector<platform::bus::EventDraft> events;
  events.reserve(static_cast<std::size_t>(r->Size()));
  for (int i = 0; i < r->Size(); ++i) {
    events.push_back(ExpiryEvent(ReadTask(*r, i), r->Text(i, 17) == "deleted"));
  }
  auto clock = platform::Clock::time_point(std::chrono::milliseconds(r->Int(0, 19)));
  auto enqueued = platform::bus::EnqueueEvents(tx, events, platform::FormatTimestamp(clock));
  if (!enqueued) return std::unexpected(enqueued.error());
  LearnCost(r->Size(), std::chrono::steady_clock::now() - started);
  return r;
}

void ExpiryScheduler::LearnCost(std::int64_t tasks, std::chrono::steady_clock::duration took) {
  double micros =
      static_cast<double>(std::chrono::duration_cast<std::chrono::microseconds>(took).count());
  batch_micros_ = batch_micros_ == 0.0 ? micros : 0.7 * batch_micros_ + 0.3 * micros;
  // Small batches are dominated by the statement's fixed cost: learn only from sizeable ones.
  if (tasks >= 100) {
    micros_per_task_ = 0.7 * micros_per_task_ + 0.3 * (micros / static_cast<double>(tasks));
  }
}

void ExpiryScheduler::Committed(const std::vector<pg::Rows>& batches) {
  std::vector<std::string> owners;
  std::int64_t total = 0;
  for (const auto& rows : batches) {
    for (int i = 0; i < rows.Size(); ++i) {
      LagHistogram().Observe(static_cast<double>(rows.Int(i, 18)) / 1000.0);
      owners.push_back(rows.Text(i, 1));
    }
    total += rows.Size();
  }
  if (on_expired_ && !owners.empty()) {
    std::sort(owners.begin(), owners.end());
    owners.erase(std::unique(owners.begin(), owners.end()), owners.end());
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
    auto rows = conn.Transaction([&](pg::Connection& tx) -> pg::DbResult<pg::Rows> {
      return ExpireBatch(tx, std::nullopt);
    });
    if (!rows) return std::unexpected(rows.error());
    auto size = rows->Size();
    std::vector<pg::Rows> batches;
    batches.push_back(std::move(*rows));
    Committed(batches);
    total += size;
    if (size < options_.batch) break;
  }
  return total;
}

pg::DbResult<std::int64_t> ExpiryScheduler::ExpireAt(pg::Connection& conn, std::int64_t instant) {
  std::vector<pg::Rows> batches;
  auto prepared = conn.Transaction([&](pg::Connection& tx) -> pg::DbResult<void> {
    for (;;) {
      // A batch that would end after the instant waits for the next transaction: its rows
      // would otherwise carry the instant but turn visible later.
      auto expected_end = NowMs() + static_cast<std::int64_t>(batch_micros_ / 1000.0);
      if (!batches.empty() && expected_end >= instant) break;
      auto rows = ExpireBatch(tx, instant);
      if (!rows) return std::unexpected(rows.error());
      bool last = rows->Size() < options_.batch;
      batches.push_back(std::move(*rows));
      if (last) break;
    }
    // Commit at the instant: before it, no reader may see these tasks expired.
    std::this_thread::sleep_until(
        std::chrono::system_clock::time_point(std::chrono::milliseconds(instant)));
    return {};
  });
  if (!prepared) return std::unexpected(prepared.error());
  Committed(batches);
  std::int64_t total = 0;
  for (const auto& rows : batches) total += rows.Size();
  return total;
}

std::chrono::milliseconds ExpiryScheduler::LeadFor(pg::Connection& conn, std::int64_t instant) {
  constexpr std::chrono::milliseconds kMinimum{10};
  auto cap = static_cast<std::int64_t>(options_.batch) * 50;
  auto due = conn.Execute(queries::kCountDueAt, {std::to_string(instant), std::to_string(cap)});
  if (!due) return kMinimum;
  // This scheduler's share, with a quarter to spare.
  double share = static_cast<double>(due->Int(0, 0)) / std::max(1, options_.workers);
  auto work = std::chrono::milliseconds(
      static_cast<std::int64_t>(share * micros_per_task_ * 1.25 / 1000.0));
  return std::clamp(work + kMinimum, kMinimum, std::max(kMinimum, options_.max_lead));
}

void ExpiryScheduler::Loop() {
  std::chrono::milliseconds backoff{100};
  while (!stopping_) {
    auto opened = pg::Connection::Open(conninfo_);
    if (!opened) {
      platform::log::Warn("expiry scheduler cannot reach PostgreSQL",
                          {{"error", opened.error().message}});
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
      continue;
    }
    auto& conn = **opened;
    if (!conn.ExecuteScript("LISTEN task_expiry")) {
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
      continue;
    }
    backoff = std::chrono::milliseconds(100);
    while (!stopping_) {
      // Catch up first: everything due now, even after downtime.
      if (auto done = RunOnce(conn); !done) {
        platform::log::Warn("expiry batch failed", {{"error", done.error().message}});
        break;
      }
      auto next = conn.Execute(queries::kNextExpiry);
      if (!next) break;
      std::optional<std::int64_t> instant = next->OptionalInt(0, 0);
      std::int64_t now = NowMs();
      std::int64_t wake = now + options_.max_sleep.count();
      if (instant && *instant - now <= options_.max_lead.count()) {
        auto lead = LeadFor(conn, *instant).count();
        if (*instant - now <= lead) {
          auto done = ExpireAt(conn, *instant);
          if (!done) {
            platform::log::Warn("expiry batch failed", {{"error", done.error().message}});
            break;
          }
          // Nothing left for this scheduler (another holds the rest): let it commit first.
          if (*done == 0) (void)conn.WaitNotification(std::chrono::milliseconds(10));
          continue;
        }
        wake = std::min(wake, *instant - lead);
      } else if (instant) {
        wake = std::min(wake, *instant - options_.max_lead.count());
      }
      // Sleep until the head start, or until a write announces an earlier expiry. Stop() is
      // noticed within 100 ms.
      std::int64_t target = instant.value_or(std::numeric_limits<std::int64_t>::max());
      bool recompute = false;
      while (!stopping_ && !recompute) {
        std::int64_t left = wake - NowMs();
        if (left <= 0) break;
        auto note =
            conn.WaitNotification(std::chrono::milliseconds(std::min<std::int64_t>(left, 100)));
        if (!note) {
          recompute = true;
          break;
        }
        while (note && *note) {
          std::int64_t announced = 0;
          const auto& payload = (*note)->second;
          std::from_chars(payload.data(), payload.data() + payload.size(), announced);
          if (announced < target) recompute = true;
          note = conn.WaitNotification(std::chrono::milliseconds(0));
        }
      }
      if (!conn.Healthy()) break;
    }
  }
}

}  // namespace tasks::infra
