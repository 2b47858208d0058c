#pragma once
// IdempotencyKeySweeper: deletes the Idempotency-Keys that stopped counting (older than 24 h)
// from PostgreSQL, in small batches, so idempotency_keys holds about one day of creates and
// never grows without bound. Runs on a background loop of its own; replicas may sweep at once.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "platform/background_loop.hpp"
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
  // The loop's step: (re)connects, then sweeps once.
  platform::BackgroundLoop::Next Step();

  std::string conninfo_;
  SweepOptions options_;
  std::unique_ptr<platform::pg::Connection> conn_;  // used only on the loop's thread
  platform::BackgroundLoop loop_;
};

}  // namespace tasks::infra
