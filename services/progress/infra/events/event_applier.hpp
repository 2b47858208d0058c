#pragma once
// EventApplier: folds one todo.task.* or todo.user.* event into the read model, in one
// transaction. Idempotent (the activity row is keyed by the event's stream sequence and id) and
// order-safe (states are replaced only by newer versions), so redeliveries, replays and
// out-of-order arrivals leave the same answers.

#include <cstdint>
#include <string_view>

#include "platform/pg/connection.hpp"

namespace progress::infra {

// EventApplier: stateless; Apply notifies `progress_activity` with the owner's id on commit
// when a task event added to their activity (the live stream wakes on it).
class EventApplier {
 public:
  platform::pg::DbResult<void> Apply(platform::pg::Connection& conn, std::string_view subject,
                                     std::string_view payload, std::uint64_t stream_seq);
  // The same inside the caller's open transaction (for applying a batch in one commit).
  platform::pg::DbResult<void> ApplyIn(platform::pg::Connection& tx, std::string_view subject,
                                       std::string_view payload, std::uint64_t stream_seq);
};

}  // namespace progress::infra
