#pragma once
// EventApplier: folds one consumed event (progress_events.hpp) into the read model, in one
// transaction. Idempotent (the activity row is keyed by the event's stream sequence and id) and
// order-safe (states are replaced only by newer versions), so redeliveries, replays and
// out-of-order arrivals leave the same answers.

#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "infra/events/progress_events.hpp"
#include "platform/pg/connection.hpp"

namespace progress::infra {

// ApplyError: why an event was not applied: it is malformed, or the database failed.
struct ApplyError {
  // Implicit, so TODO_TRY passes either cause on as an ApplyError.
  // NOLINTNEXTLINE(google-explicit-constructor)
  ApplyError(MalformedEvent malformed) : cause(std::move(malformed)) {}
  // NOLINTNEXTLINE(google-explicit-constructor)
  ApplyError(platform::pg::DbError db) : cause(std::move(db)) {}
  bool IsMalformedEvent() const { return std::holds_alternative<MalformedEvent>(cause); }
  // For logs and dead_letters.error ("malformed event: ..." for a malformed one).
  std::string Message() const;

  std::variant<MalformedEvent, platform::pg::DbError> cause;
};

// EventApplier: stateless; applying notifies `progress_activity` with the owner's id on commit
// when a task event added to their activity (the live stream wakes on it).
class EventApplier {
 public:
  // Reads the event and folds it in a transaction of its own.
  std::expected<void, ApplyError> Apply(platform::pg::Connection& conn, std::string_view payload,
                                        std::uint64_t stream_seq);
  // Folds an event already read inside the caller's open transaction (for a batch in one
  // commit).
  platform::pg::DbResult<void> Fold(platform::pg::Connection& tx, const ConsumedEvent& event,
                                    std::uint64_t stream_seq);
  // Folds a batch read in stream order (seqs[i] is events[i]'s stream sequence) inside the
  // caller's open transaction, with a few statements per run of task events. Without
  // activity it only replaces states (a rebuild's pass over the state stream).
  platform::pg::DbResult<void> FoldBatch(platform::pg::Connection& tx,
                                         std::span<const ConsumedEvent> events,
                                         std::span<const std::uint64_t> seqs, bool with_activity);
};

}  // namespace progress::infra
