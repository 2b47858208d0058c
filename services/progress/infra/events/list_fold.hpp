#pragma once
// FoldList: one todo.list.* event folded into the memberships the visibility queries read
// (list_state, list_member). A newer state replaces the whole member list; a deletion leaves
// a tombstone and no members. Older and redelivered events change nothing.

#include "infra/events/progress_events.hpp"
#include "platform/pg/connection.hpp"

namespace progress::infra {

// Inside the caller's open transaction. A state event of a list whose owner was deleted is
// dropped (as their task events are); its deletion still applies.
platform::pg::DbResult<void> FoldList(platform::pg::Connection& tx, const ListChange& change);

}  // namespace progress::infra
