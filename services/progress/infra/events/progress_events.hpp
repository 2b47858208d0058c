#pragma once
// The events the progress service consumes, in one place: which types it folds and how it
// reads their JSON (the CloudEvents envelopes of platform::bus::EventEnvelope).
//
//   todo.task.created|updated|completed|reopened|expired   the task's state after the change
//   todo.task.deleted                                      the task's id and owner only
//   todo.user.created|updated                              the person's time zone
//   todo.user.deleted                                      forget everything of the person
//
// Any other type is not progress's to fold and is ignored; an envelope or a consumed event
// without what it must carry is a MalformedEvent.

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "domain/progress.hpp"

namespace progress::infra {

// MalformedEvent: an event that is not what its envelope or type promises (not JSON, a field
// missing or of the wrong type). Retrying does not help: the consumer parks it.
struct MalformedEvent {
  std::string problem;
  std::string Message() const { return "malformed event: " + problem; }
};

// TaskSnapshot: what a task event other than a deletion says about the task.
struct TaskSnapshot {
  std::string title;
  std::string status;
  int progress = 0;
  std::optional<std::string> due_at, expires_at, completed_at;  // RFC 3339, as sent
  std::string json;  // the event's data, as the feed and the stream show it
};

// TaskChange: one todo.task.* event; `state` is empty for a deletion.
struct TaskChange {
  domain::EventKind kind;
  std::string event_id;
  std::string at;  // the event's time, RFC 3339
  std::string task_id;
  std::string owner_id;
  std::int64_t version = 0;
  std::optional<TaskSnapshot> state;
  // A deletion's last title, when the event carries it.
  std::optional<std::string> deleted_title;
};

// UserChange: one todo.user.* event; only a profile and a deletion change the read model.
struct UserChange {
  enum class Kind { kProfile, kDeleted, kOther };
  Kind kind = Kind::kOther;
  std::string user_id;
  std::int64_t version = 0;
  std::string timezone = "UTC";  // the profile's, UTC when it names none
};

// IgnoredEvent: a type progress does not fold.
struct IgnoredEvent {};

using ConsumedEvent = std::variant<IgnoredEvent, TaskChange, UserChange>;

// Reads one event's envelope and data. The type comes from the envelope, not the subject: a
// stream may carry events under any subject prefix (the tests use streams of their own).
std::expected<ConsumedEvent, MalformedEvent> ReadEvent(std::string_view payload);

}  // namespace progress::infra
