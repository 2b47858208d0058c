#include "platform/bus/event_streams.hpp"

#include <array>
#include <thread>

#include "platform/try.hpp"

namespace platform::bus {
namespace {

// NATS requires a stream's duplicate window to fit in its age limit; an hour leaves room.
constexpr std::int64_t kMinAgeSeconds = 3600;
constexpr std::int64_t kMaxAgeSeconds = 10LL * 365 * 86400;
constexpr std::int64_t kMinBytes = 16LL << 20;
constexpr std::int64_t kMaxBytes = 1LL << 50;
constexpr std::chrono::seconds kDuplicateWindow{120};

// Kinds whose every event carries the entity's whole state, so the latest one is the state.
constexpr std::array<std::string_view, 3> kStateKinds = {"task", "user", "list"};

bool ValidToken(std::string_view token) {
  if (token.empty()) return false;
  for (char c : token) {
    if (c == '.' || c == '*' || c == '>' || static_cast<unsigned char>(c) <= ' ') return false;
  }
  return true;
}

}  // namespace

EventStreamSettings ReadEventStreamSettings(Config& config) {
  EventStreamSettings defaults;
  EventStreamSettings s;
  s.max_age = std::chrono::seconds(config.Integer(
      "TODO_EVENTS_MAX_AGE_SECONDS", defaults.max_age.count(), kMinAgeSeconds, kMaxAgeSeconds,
      "how long (s) the TODO history stream keeps an event; also how long a deletion's "
      "tombstone stays in TODO_STATE"));
  s.max_bytes = config.Integer("TODO_EVENTS_MAX_BYTES", defaults.max_bytes, kMinBytes, kMaxBytes,
                               "the most bytes the TODO history stream keeps (oldest dropped "
                               "first); must fit in the NATS server's JetStream storage");
  s.replicas = static_cast<int>(config.Integer(
      "TODO_EVENTS_REPLICAS", defaults.replicas, 1, 5,
      "copies of the TODO and TODO_STATE streams a NATS cluster keeps (3 on a 3-node cluster)"));
  return s;
}

StreamSpec HistoryStreamSpec(const EventStreamSettings& settings) {
  return StreamSpec{.name = std::string(kHistoryStream),
                    .subjects = {"todo.>"},
                    .duplicate_window = kDuplicateWindow,
                    .max_age = settings.max_age,
                    .max_bytes = settings.max_bytes,
                    .replicas = settings.replicas};
}

StreamSpec StateStreamSpec(const EventStreamSettings& settings) {
  return StreamSpec{.name = std::string(kStateStream),
                    .subjects = {std::string(kStateSubjectPrefix) + ".>"},
                    .duplicate_window = kDuplicateWindow,
                    .max_msgs_per_subject = 1,
                    .replicas = settings.replicas};
}

Result<void> EnsureEventStreams(JetStream& js, const EventStreamSettings& settings,
                                std::chrono::seconds settle) {
  auto deadline = std::chrono::steady_clock::now() + settle;
  for (;;) {
    auto ensured = js.EnsureStream(StateStreamSpec(settings));
    if (ensured) ensured = js.EnsureStream(HistoryStreamSpec(settings));
    if (ensured || ensured.error().kind != ErrorKind::kUnavailable ||
        std::chrono::steady_clock::now() >= deadline) {
      return ensured;
    }
    // Start-up only: nothing to await but the cluster electing a leader for the stream.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

std::optional<std::string> StateSubject(std::string_view prefix, std::string_view type,
                                        std::string_view entity) {
  auto first = type.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  auto second = type.find('.', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  std::string_view kind = type.substr(first + 1, second - first - 1);
  bool keeps_state = false;
  for (auto k : kStateKinds) keeps_state = keeps_state || k == kind;
  if (!keeps_state || !ValidToken(entity)) return std::nullopt;
  std::string out;
  out.reserve(prefix.size() + kind.size() + entity.size() + 2);
  out.append(prefix).append(".").append(kind).append(".").append(entity);
  return out;
}

bool IsDeletion(std::string_view type) { return type.ends_with(".deleted"); }

}  // namespace platform::bus
