#pragma once
// Time as API.md writes it: RFC 3339 in UTC with milliseconds; input accepts any offset.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace platform {

using Clock = std::chrono::system_clock;
using TimePoint = std::chrono::time_point<Clock, std::chrono::milliseconds>;

// 2026-03-11T04:30:00.000Z
std::string FormatTimestamp(Clock::time_point t);
// Parses RFC 3339 (`Z` or `+07:00`, optional fraction); nullopt when malformed.
std::optional<TimePoint> ParseTimestamp(std::string_view text);
std::int64_t UnixSeconds(Clock::time_point t);
std::int64_t UnixMillis(Clock::time_point t);

}  // namespace platform
