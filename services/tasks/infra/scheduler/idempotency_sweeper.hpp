#pragma once
// IdempotencyKeySweeper: deletes the Idempotency-Keys that stopped counting (older than 24 h)
// from PostgreSQL, in small batches, so idempotency_keys holds about one day of creates and
// never grows without bound (platform::pg::Sweeper does the work).

#include <cstdint>
#include <string>

#include "platform/pg/sweeper.hpp"

namespace tasks::infra {

using platform::pg::SweepOptions;

class IdempotencyKeySweeper {
 public:
  IdempotencyKeySweeper(std::string pg_conninfo, SweepOptions options = {});

  void Start() { sweeper_.Start(); }
  void Stop() { sweeper_.Stop(); }
  // Deletes every key older than 24 h, `batch` rows per statement; returns how many.
  static platform::pg::DbResult<std::int64_t> SweepOnce(platform::pg::Connection& conn, int batch);

 private:
  platform::pg::Sweeper sweeper_;
};

}  // namespace tasks::infra
