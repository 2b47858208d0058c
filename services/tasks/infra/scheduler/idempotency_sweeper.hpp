#pragma once
// IdempotencyKeySweeper: deletes the Idempotency-Keys that stopped counting (older than 24 h)
// from PostgreSQL, in small batches, so idempotency_keys holds about one day of creates and
// never grows without bound. Runs on a thread of its own; replicas may sweep at once.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "platform/pg/connection.hpp"

namespace tasks::infra {

// SweepOptions: how often, and how many rows per statement (each statement commits alone, so
// no sweep holds many row locks or a long transaction).
struct SweepOptions {
  std::chrono::milliseconds period{60000};
  int batch = 1000;
};

class IdempotencyKeySweeper {
 public:
  IdempotencyKeySweeper(std::string pg_conninfo, SweepOptions options = {});
  ~IdempotencyKeySweeper();
  IdempotencyKeySweeper(const IdempotencyKeySweeper&) = delete;
  IdempotencyKeySweeper& operator=(const IdempotencyKeySweeper&) = delete;

  void Start();
  void Stop();
  // Deletes every key older than 24 h, `batch` rows per statement; returns how many.
  static platform::pg::DbResult<std::int64_t> SweepOnce(platform::pg::Connection& conn, int batch);

 private:
  void Loop();
  // Sleeps for `d` or until Stop; false once stopping.
  bool Pause(std::chrono::milliseconds d);

  std::string conninfo_;
  SweepOptions options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tasks::infra
