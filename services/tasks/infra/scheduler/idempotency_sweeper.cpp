#include "infra/scheduler/idempotency_sweeper.hpp"

#include <utility>

#include "infra/pg/queries.hpp"

namespace tasks::infra {

namespace {

platform::pg::SweepStatement SweepKeys() { return {queries::kSweepKeys, {}}; }

}  // namespace

IdempotencyKeySweeper::IdempotencyKeySweeper(std::string pg_conninfo, SweepOptions options)
    : sweeper_("idempotency-key-sweeper", std::move(pg_conninfo), SweepKeys(), options) {}

platform::pg::DbResult<std::int64_t> IdempotencyKeySweeper::SweepOnce(
    platform::pg::Connection& conn, int batch) {
  return platform::pg::Sweeper::SweepOnce(conn, SweepKeys(), batch);
}

}  // namespace tasks::infra
