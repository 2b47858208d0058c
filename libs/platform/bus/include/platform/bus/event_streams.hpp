#pragma once
// The two event streams every service ensures at start-up: the history stream `TODO`, bounded
// by age and size, and the compacted state stream `TODO_STATE`, one message per entity.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "platform/bus/jetstream.hpp"
#include "platform/config.hpp"
#include "platform/error.hpp"

namespace platform::bus {

inline constexpr std::string_view kHistoryStream = "TODO";
inline constexpr std::string_view kStateStream = "TODO_STATE";
// State subjects are <prefix>.<kind>.<entity id>, e.g. state.task.0190a1b2-...
inline constexpr std::string_view kStateSubjectPrefix = "state";

// EventStreamSettings: how long and how much history the `TODO` stream keeps.
struct EventStreamSettings {
  std::chrono::seconds max_age{90LL * 86400};
  std::int64_t max_bytes = 8LL << 30;
  int replicas = 1;  // of both streams, on a NATS cluster
};

// Declares TODO_EVENTS_MAX_AGE_SECONDS, TODO_EVENTS_MAX_BYTES and TODO_EVENTS_REPLICAS on
// `config` and reads them;
// a bad value is reported by Config::Finish with the variable's name.
EventStreamSettings ReadEventStreamSettings(Config& config);

// The history stream: todo.>, bounded by the settings, the oldest messages discarded first.
StreamSpec HistoryStreamSpec(const EventStreamSettings& settings);
// The state stream: state.>, the newest message of each subject only, kept for ever (a
// deletion's tombstone is purged by the relay once history can no longer revive the entity).
StreamSpec StateStreamSpec(const EventStreamSettings& settings);

// Creates both streams or updates them to the specs (an unlimited `TODO` gains its limits).
// A NATS cluster that is still electing its leaders answers with timeouts: those are retried
// for up to `settle` before the error is returned (services call this at start-up).
Result<void> EnsureEventStreams(JetStream& js, const EventStreamSettings& settings,
                                std::chrono::seconds settle = std::chrono::seconds(30));

// The state subject of an event of `type` (todo.<kind>.<verb>) about `entity`, under `prefix`;
// nullopt when the kind keeps no state (only task, user and list do) or the entity id cannot
// be a subject token.
std::optional<std::string> StateSubject(std::string_view prefix, std::string_view type,
                                        std::string_view entity);
// True for a deletion (a type ending in `.deleted`): its state message is a tombstone.
bool IsDeletion(std::string_view type);

}  // namespace platform::bus
