#pragma once
// ExpiryScheduler: the authority on task expiry. Sleeps until the earliest pending expires_at
// (kept in PostgreSQL), is woken early by LISTEN/NOTIFY when a write brings an earlier one (in
// this process and in every other replica), and expires due tasks in batches together with
// their events. Restarting catches up at once; replicas never expire a task twice.
//
// Precision: the work for an expiry instant starts a little before it (a head start sized by
// how many tasks are due then), inside a transaction that commits at the instant itself. So
// tasks turn expired at their expires_at, not one batch-duration later, and never earlier. A
// write that reaches such a task during the head start waits for it and then finds the task
// expired (its retry may revive it, as any write after an expiry).

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "platform/background_loop.hpp"
#include "platform/error.hpp"
#include "platform/pg/connection.hpp"

namespace tasks::infra {

// ExpiryOptions: batch size, the longest sleep (a safety net; NOTIFY is the real wake-up),
// and the bounds of the head start.
struct ExpiryOptions {
  int batch = 2000;
  std::chrono::milliseconds max_sleep{5000};
  // The longest head start, i.e. the longest a due task's row stays locked before its instant.
  std::chrono::milliseconds max_lead{1000};
  // Schedulers sharing the due tasks (in this process): each does its share of the work.
  int workers = 1;
};

class ExpiryScheduler {
 public:
  // on_expired gets the owners whose tasks just expired (their cached lists are stale).
  ExpiryScheduler(std::string pg_conninfo, ExpiryOptions options = {},
                  std::function<void(const std::vector<std::string>&)> on_expired = {});
  ~ExpiryScheduler();
  ExpiryScheduler(const ExpiryScheduler&) = delete;
  ExpiryScheduler& operator=(const ExpiryScheduler&) = delete;

  void Start();
  void Stop();
  // Expires everything due now (all batches); returns how many tasks. For tests and start-up.
  platform::pg::DbResult<std::int64_t> RunOnce(platform::pg::Connection& conn);
  // Expires what is due at `instant` (Unix ms) in one transaction that commits once the clock
  // has reached it: batches while time allows, then the wait. Returns how many tasks.
  platform::pg::DbResult<std::int64_t> ExpireAt(platform::pg::Connection& conn,
                                                std::int64_t instant);
  // How long before `instant` (Unix ms) ExpireAt should begin, from the tasks due then.
  std::chrono::milliseconds LeadFor(platform::pg::Connection& conn, std::int64_t instant) const;
  std::int64_t ExpiredTotal() const { return expired_total_.load(); }

 private:
  // What Committed needs of an expired (or deleted) task.
  struct Expired {
    std::string owner_id;
    std::int64_t lag_ms = 0;
  };
  // The background loop's step: (re)connects and LISTENs, then runs one Round.
  platform::BackgroundLoop::Next Step();
  // Catches up, then expires what is due at the next instant or waits for it (or for a write
  // announcing an earlier one). False when the connection should be dropped.
  bool Round(platform::pg::Connection& conn);
  // Waits until `wake` (Unix ms), or until a NOTIFY announces an expiry before `target`.
  void WaitForWork(platform::pg::Connection& conn, std::int64_t wake, std::int64_t target);
  // One batch inside the caller's transaction (events enqueued); `instant` as in expire_due.sql.
  platform::pg::DbResult<std::vector<Expired>> ExpireBatch(platform::pg::Connection& tx,
                                                           std::optional<std::int64_t> instant);
  // After commit: metrics and the on_expired callback.
  void Committed(const std::vector<std::vector<Expired>>& batches);
  // Learns the cost of a task from a batch's duration (for LeadFor).
  void LearnCost(std::int64_t tasks, std::chrono::steady_clock::duration took);
  std::string conninfo_;
  ExpiryOptions options_;
  std::function<void(const std::vector<std::string>&)> on_expired_;
  std::atomic<std::int64_t> expired_total_{0};
  // Moving averages, used only on the scheduler's thread.
  double micros_per_task_ = 100.0;
  double batch_micros_ = 0.0;
  // The loop's connection (LISTEN task_expiry), used only on its thread.
  std::unique_ptr<platform::pg::Connection> conn_;
  platform::BackgroundLoop loop_;
};

}  // namespace tasks::infra
