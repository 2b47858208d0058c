#pragma once
// Builders for the lists and sharing tests: people with names, lists with members, and tasks
// in lists changed by someone (the events tasks publishes since lists).

#include <string>
#include <utility>
#include <vector>

#include "progress_test_env.hpp"

namespace progress::itest {

// A person named `name`, as identity's todo.user.created carries them.
inline UserState NamedUser(std::string name, Time at) {
  UserState u;
  u.name = std::move(name);
  u.email = u.id + "@example.com";
  u.created_at = at;
  u.updated_at = at;
  return u;
}

// A list of `owner` with `members` (user id, role), version 1.
inline ListState NewList(const std::string& owner, Time at,
                         std::vector<std::pair<std::string, std::string>> members = {},
                         bool inbox = false) {
  ListState l;
  l.owner_id = owner;
  l.inbox = inbox;
  l.name = inbox ? "Inbox" : "Ramadhan";
  l.members = std::move(members);
  l.created_at = at;
  l.updated_at = at;
  return l;
}

// The list's next version with these members (the owner is always one).
inline ListState WithMembers(ListState l, std::vector<std::pair<std::string, std::string>> members,
                             Time at) {
  ++l.version;
  l.members = std::move(members);
  l.updated_at = at;
  return l;
}

// A task in `list` (owned by the list's owner), created by `actor`.
inline TaskState ListTask(const ListState& list, const std::string& actor, Time at,
                          std::string title = "Tadarus juz 5") {
  TaskState t;
  t.owner_id = list.owner_id;
  t.list_id = list.id;
  t.actor_id = actor;
  t.title = std::move(title);
  t.created_at = at;
  t.updated_at = at;
  return t;
}

// The task's next version changed by `actor` (nullopt: the expiry scheduler).
inline TaskState ChangedBy(TaskState t, std::optional<std::string> actor, Time at) {
  ++t.version;
  t.actor_id = std::move(actor);
  t.updated_at = at;
  return t;
}

inline TaskState CompletedBy(TaskState t, const std::string& actor, Time at) {
  t = ChangedBy(std::move(t), actor, at);
  t.status = "done";
  t.progress = 100;
  t.completed_at = at;
  return t;
}

}  // namespace progress::itest
