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
// 2026-03-11T04:30:00.000Z
std::string FormatTimestamp(Clock::time_point t);
// The same text without allocating; nullopt outside years 0000-9999.
std::optional<TimestampText> FormatTimestampText(Clock::time_point t);
// Parses RFC 3339 (`Z` or `+07:00`, optional fraction); nullopt when malformed.
std::optional<TimePoint> ParseTimestamp(std::string_view text);
std::int64_t UnixSeconds(Clock::time_point t);
std::int64_t UnixMillis(Clock::time_point t);

}  // namespace platform
