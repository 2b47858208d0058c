#include "platform/time.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace platform {

std::optional<TimestampText> FormatTimestampText(Clock::time_point t) {
  return FormatTimestampText(std::chrono::floor<std::chrono::milliseconds>(t));
}

std::optional<TimestampText> FormatTimestampText(TimePoint ms) {
  auto days = std::chrono::floor<std::chrono::days>(ms);
  std::chrono::year_month_day ymd{days};
  std::chrono::hh_mm_ss hms{ms - days};
  int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) return std::nullopt;
  // Digits by hand: every log line and every task rendering carries several timestamps, and
  // fmt's format-string parsing was most of their cost.
  TimestampText text{{'0', '0', '0', '0', '-', '0', '0', '-', '0', '0', 'T', '0',
                      '0', ':', '0', '0', ':', '0', '0', '.', '0', '0', '0', 'Z'}};
  auto put = [&text](std::size_t at, int width, long long value) {
    for (int i = width - 1; i >= 0; --i) {
      text.chars[at + static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  put(0, 4, year);
  put(5, 2, static_cast<unsigned>(ymd.month()));
  put(8, 2, static_cast<unsigned>(ymd.day()));
  put(11, 2, hms.hours().count());
  put(14, 2, hms.minutes().count());
  put(17, 2, hms.seconds().count());
  put(20, 3, hms.subseconds().count());
  return text;
}

std::string FormatTimestamp(Clock::time_point t) {
  return FormatTimestamp(std::chrono::floor<std::chrono::milliseconds>(t));
}

std::string FormatTimestamp(TimePoint ms) {
  if (auto text = FormatTimestampText(ms)) return std::string(text->view());
  auto days = std::chrono::floor<std::chrono::days>(ms);
  std::chrono::year_month_day ymd{days};
  std::chrono::hh_mm_ss hms{ms - days};
  // Outside years 0000-9999 (never stored, only logged): the same fields, any width.
  char text[64];
  int n = std::snprintf(
      text, sizeof text, "%04d-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
      static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
      static_cast<unsigned>(ymd.day()), static_cast<long long>(hms.hours().count()),
      static_cast<long long>(hms.minutes().count()), static_cast<long long>(hms.seconds().count()),
      static_cast<long long>(hms.subseconds().count()));
  return std::string(text, static_cast<std::size_t>(std::max(n, 0)));
}

namespace {

bool ReadInt(std::string_view text, std::size_t pos, std::size_t len, int& out) {
  if (pos + len > text.size()) return false;
  for (std::size_t i = pos; i < pos + len; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  std::from_chars(text.data() + pos, text.data() + pos + len, out);
  return true;
}

}  // namespace

std::optional<TimePoint> ParseTimestamp(std::string_view text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (text.size() < 20 || !ReadInt(text, 0, 4, y) || text[4] != '-' || !ReadInt(text, 5, 2, mo) ||
      text[7] != '-' || !ReadInt(text, 8, 2, d) || (text[10] != 'T' && text[10] != 't') ||
      !ReadInt(text, 11, 2, h) || text[13] != ':' || !ReadInt(text, 14, 2, mi) || text[16] != ':' ||
      !ReadInt(text, 17, 2, s)) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  int millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 3) millis = millis * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (std::size_t i = digits; i < 3; ++i) millis *= 10;
  }
  int offset_minutes = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh = 0, om = 0;
    int sign = text[pos] == '-' ? -1 : 1;
    if (!ReadInt(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !ReadInt(text, pos + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_minutes = sign * (oh * 60 + om);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year{y},
                                  std::chrono::month{static_cast<unsigned>(mo)},
                                  std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 59) return std::nullopt;
  auto tp = std::chrono::sys_days{ymd} + std::chrono::hours{h} + std::chrono::minutes{mi} +
            std::chrono::seconds{s} + std::chrono::milliseconds{millis} -
            std::chrono::minutes{offset_minutes};
  auto parsed = std::chrono::time_point_cast<std::chrono::milliseconds>(tp);
  if (!InTimeRange(parsed)) return std::nullopt;
  return parsed;
}

std::optional<TimePoint> AddSeconds(TimePoint t, std::int64_t seconds) {
  if (!InTimeRange(t)) return std::nullopt;
  // Both ends are within 1970..9999, so the room left is far from overflowing, and a
  // `seconds` beyond it is refused before it is multiplied.
  auto room_up = (kMaxTime - t).count() / 1000;
  auto room_down = (t - kMinTime).count() / 1000;
  if (seconds > room_up || seconds < -room_down) return std::nullopt;
  auto sum = t + std::chrono::seconds(seconds);
  if (!InTimeRange(sum)) return std::nullopt;
  return sum;
}

std::int64_t UnixSeconds(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::int64_t UnixMillis(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace platform
