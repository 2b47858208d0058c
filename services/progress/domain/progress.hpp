#pragma once
// The progress read model's rules: which events change what, and how a person's progress is
// summed up from the task states and activity that events brought. No I/O: time zones come in
// through the Zone interface, "now" as a parameter.

#include <chrono>
#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "platform/error.hpp"

namespace progress::domain {

using Time = std::chrono::sys_time<std::chrono::milliseconds>;
using Day = std::chrono::sys_days;  // a calendar date (in whatever zone it was computed for)

// EventKind: the task event types, by the last part of their type ("todo.task.<kind>").
enum class EventKind { kCreated, kUpdated, kCompleted, kReopened, kExpired, kDeleted };

std::optional<EventKind> ParseTaskEventType(std::string_view type);  // "todo.task.created" ...
std::string_view ToString(EventKind kind);                           // "created" ...

// Zone: a person's time zone; implemented on the tz database in infra, fixed offsets in tests.
class Zone {
 public:
  virtual ~Zone() = default;
  // The local calendar date of an instant.
  virtual Day LocalDay(Time t) const = 0;
  // The first instant of a local date (its local midnight, or the first instant after a gap).
  virtual Time StartOfDay(Day day) const = 0;
};

// Whether an event with `incoming` version changes an entity stored at `stored` (none: yes).
// Redelivered and out-of-order events (not newer) change nothing.
bool Supersedes(std::int64_t incoming, std::optional<std::int64_t> stored);

// ActivityPoint: one applied task event, as the daily buckets and the streak need it.
struct ActivityPoint {
  EventKind kind;
  std::string task_id;
  Time at;
};

// DayCounts: how many distinct tasks were created, completed and expired on one local date.
struct DayCounts {
  Day date;
  int created = 0;
  int completed = 0;
  int expired = 0;
};

// The last `days` local dates ending with today (oldest first), each with the distinct tasks
// created / completed / expired that day; points outside the range are ignored.
std::vector<DayCounts> DailyBuckets(std::span<const ActivityPoint> points, const Zone& zone,
                                    Time now, int days);

// Consecutive local dates with at least one completion, ending today; when today has none yet,
// ending yesterday (a streak lasts until a whole day passes without a completion).
// `completions`: instants of completed events, in any order.
int StreakDays(std::span<const Time> completions, const Zone& zone, Time now);

// Counts: what the read model aggregates for one person (see the summary below).
struct StatusCounts {
  std::int64_t todo = 0, in_progress = 0, done = 0, expired = 0;
  std::int64_t Total() const { return todo + in_progress + done + expired; }
};

// done / total, 0 when there are no tasks; rounded to 4 decimals.
double CompletionRate(const StatusCounts& counts);

// Query limits (documented in docs/api.md): days 1..365 (default 30),
// activity limit 1..100 (default 20). A missing value gives the default; anything else that is
// not a whole number in range is a validation error naming the parameter.
std::expected<int, platform::Error> ParseDays(std::optional<std::string_view> text);
std::expected<int, platform::Error> ParseActivityLimit(std::optional<std::string_view> text);

// "YYYY-MM-DD".
std::string FormatDay(Day day);

}  // namespace progress::domain
