#pragma once
// Lists and sharing as the read model needs them: who may see a list's tasks, and who made a
// change when an event from before lists does not say. No I/O.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/progress.hpp"

namespace progress::domain {

// Member: one person of a list and their role ("owner", "editor" or "viewer").
struct Member {
  std::string user_id;
  std::string role;
};

// Who sees a list's tasks: its owner (role "owner", first) and every member, each once. The
// owner is there even when an event's member list leaves them out, so a list never hides its
// own tasks from its owner.
std::vector<Member> ListAudience(std::string_view owner_id, const std::vector<Member>& members);

// ActorField: what a task event's data said about actor_id: nothing (an event from before
// lists), null (the expiry scheduler, an erasure) or a user id.
struct ActorField {
  bool present = false;
  std::optional<std::string> value;
};

// Who made the change: the event's actor_id when it has the field; for an older event without
// it, nobody for an expiry (the scheduler: `expired`, or a deletion with reason "expired") and
// the task's owner for anything else (before lists only the owner could change a task).
std::optional<std::string> ActorOf(EventKind kind, const ActorField& field,
                                   std::string_view owner_id,
                                   std::optional<std::string_view> reason);

}  // namespace progress::domain
