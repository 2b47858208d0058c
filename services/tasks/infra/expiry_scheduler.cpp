#include "infra/expiry_scheduler.hpp"

#include <algorithm>
#include <charconv>

#include "infra/pg_task_repository.hpp"
#include "infra/task_json.hpp"
#include "infra/task_queries.hpp"
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

pg::DbResult<std::int64_t> ExpiryScheduler::RunOnce(pg::Connection& conn) {
  std::int64_t total = 0;
  for (;;) {
    auto rows = conn.Transaction([&](pg::Connection& tx) -> pg::DbResult<pg::Rows> {
      auto r = tx.Execute(queries::kExpireDue, {std::to_string(options_.batch)});
      if (!r) return std::unexpected(r.error());
      if (r->Empty()) return r;
      // Columns: the task (ReadTask's 17), "expired" or "deleted", lag ms, the batch clock ms.
      std::vector<platform::bus::EventDraft> events;
      events.reserve(static_cast<std::size_t>(r->Size()));
      for (int i = 0; i < r->Size(); ++i) {
        events.push_back(ExpiryEvent(ReadTask(*r, i), r->Text(i, 17) == "deleted"));
      }
      auto clock = platform::Clock::time_point(std::chrono::milliseconds(r->Int(0, 19)));
      auto enqueued = platform::bus::EnqueueEvents(tx, events, platform::FormatTimestamp(clock));
      if (!enqueued) return std::unexpected(enqueued.error());
      return r;
    });
    if (!rows) return std::unexpected(rows.error());
    std::vector<std::string> owners;
    for (int i = 0; i < rows->Size(); ++i) {
      LagHistogram().Observe(static_cast<double>(rows->Int(i, 18)) / 1000.0);
      owners.push_back(rows->Text(i, 1));
    }
    if (on_expired_ && !owners.empty()) {
      std::sort(owners.begin(), owners.end());
      owners.erase(std::unique(owners.begin(), owners.end()), owners.end());
      on_expired_(owners);
    }
    total += rows->Size();
    if (rows->Size() < options_.batch) break;
  }
  if (total > 0) {
    expired_total_ += total;
    static auto& counter = platform::metrics::DefaultRegistry().GetCounter(
        "tasks_expired_total", "tasks expired (or deleted on expiry) by the scheduler");
    counter.Inc(static_cast<std::uint64_t>(total));
  }
  return total;
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
      std::int64_t now = NowMs();
      std::int64_t wait = options_.max_sleep.count();
      std::optional<std::int64_t> next_ms = next->OptionalInt(0, 0);
      if (next_ms) wait = std::clamp<std::int64_t>(*next_ms - now, 0, wait);
      // Wake at the deadline, or earlier when a write announces an earlier expiry. Stop()
      // is noticed within 100 ms.
      auto deadline = now + wait;
      bool recompute = false;
      while (!stopping_ && !recompute) {
        std::int64_t left = deadline - NowMs();
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
          if (announced < deadline) {
            deadline = announced;
            recompute = announced <= NowMs();
          }
          note = conn.WaitNotification(std::chrono::milliseconds(0));
        }
      }
      if (!conn.Healthy()) break;
    }
  }
}

}  // namespace tasks::infra
