#pragma once
// Time as API.md writes it: RFC 3339 in UTC with milliseconds; input accepts any offset.

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace platform {

using Clock = std::chrono::system_clock;
using TimePoint = std::chrono::time_point<Clock, std::chrono::milliseconds>;

// TimestampText: a formatted timestamp held without a heap allocation (years 0000-9999).
struct TimestampText {
  std::array<char, 24> chars;
  std::string_view view() const { return {chars.data(), chars.size()}; }
};
// The times the API accepts and stores: years 1970..9999 (UTC), in milliseconds, so no time
// and no sum of a time and a bounded duration can wrap (nanosecond time points end in 2262).
inline constexpr TimePoint kMinTime{std::chrono::milliseconds(0)};
inline constexpr TimePoint kMaxTime{std::chrono::milliseconds(253'402'300'799'999)};
constexpr bool InTimeRange(TimePoint t) { return t >= kMinTime && t <= kMaxTime; }
// t + seconds, or nullopt when the sum leaves kMinTime..kMaxTime (checked: never overflows).
std::optional<TimePoint> AddSeconds(TimePoint t, std::int64_t seconds);

// 2026-03-11T04:30:00.000Z. The TimePoint overloads take milliseconds as they are: passing them
// to the Clock::time_point ones would convert to nanoseconds and wrap after 2262.
std::string FormatTimestamp(TimePoint ms);
std::string FormatTimestamp(Clock::time_point t);
// The same text without allocating; nullopt outside years 0000-9999.
std::optional<TimestampText> FormatTimestampText(TimePoint ms);
std::optional<TimestampText> FormatTimestampText(Clock::time_point t);
// Parses RFC 3339 (`Z` or `+07:00`, optional fraction); nullopt when malformed or outside
// kMinTime..kMaxTime once the offset is applied. A leap second (`:60`) is refused: the clocks
// here never show one.
std::optional<TimePoint> ParseTimestamp(std::string_view text);
std::int64_t UnixSeconds(Clock::time_point t);
std::int64_t UnixMillis(Clock::time_point t);

}  // namespace platform
