#pragma once
// ExpiryScheduler: the authority on task expiry. Sleeps until the earliest pending expires_at
// (kept in PostgreSQL), is woken early by LISTEN/NOTIFY when a write brings an earlier one (in
// this process and in every other replica), and expires due tasks in batches together with
// their events. Restarting catches up at once; replicas never expire a task twice.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "platform/error.hpp"
#include "platform/pg/connection.hpp"

namespace tasks::infra {

// ExpiryOptions: batch size, and the longest sleep (a safety net; NOTIFY is the real wake-up).
struct ExpiryOptions {
  int batch = 2000;
  std::chrono::milliseconds max_sleep{5000};
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
  std::int64_t ExpiredTotal() const { return expired_total_.load(); }

 private:
  void Loop();
  std::string conninfo_;
  ExpiryOptions options_;
  std::function<void(const std::vector<std::string>&)> on_expired_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::int64_t> expired_total_{0};
  std::thread thread_;
};

}  // namespace tasks::infra
