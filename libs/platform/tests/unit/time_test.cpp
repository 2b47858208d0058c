#include "platform/time.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <vector>

namespace {

TEST(Time, FormatsUtcWithMilliseconds) {
  auto t = platform::ParseTimestamp("2026-03-11T04:30:00.123Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(platform::FormatTimestamp(*t), "2026-03-11T04:30:00.123Z");
}

TEST(Time, AcceptsAnyOffset) {
  auto t = platform::ParseTimestamp("2026-03-11T11:30:00+07:00");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(platform::FormatTimestamp(*t), "2026-03-11T04:30:00.000Z");
}

TEST(Time, RejectsMalformed) {
  EXPECT_FALSE(platform::ParseTimestamp("2026-02-30T00:00:00Z").has_value());
  EXPECT_FALSE(platform::ParseTimestamp("2026-03-11 04:30:00Z").has_value());
  EXPECT_FALSE(platform::ParseTimestamp("2026-03-11T04:30:00").has_value());
  EXPECT_FALSE(platform::ParseTimestamp("2026-03-11T04:30:00Zjunk").has_value());
}

}  // namespace

TEST(FormatTimestampTest, AgreesWithCalendarArithmeticAcrossCenturies) {
  // Spread over 1970..2199 (system_clock counts nanoseconds: it ends in 2262), including a
  // leap day's last millisecond.
  using namespace std::chrono;
  std::vector<sys_time<milliseconds>> samples;
  samples.reserve(20'000);
  for (long long step = 0; step < 20'000; ++step) {
    samples.emplace_back(milliseconds(step * 12'623'456'789'123LL % 7'258'118'400'000LL));
  }
  samples.push_back(sys_days(year(2024) / February / 29) + hours(23) + minutes(59) + seconds(59) +
                    milliseconds(999));
  samples.push_back(sys_days(year(2199) / December / 31) + hours(23) + minutes(59) + seconds(59) +
                    milliseconds(999));
  for (auto t : samples) {
    auto days = floor<std::chrono::days>(t);
    year_month_day ymd{days};
    hh_mm_ss hms{t - days};
    char expected[96];
    std::snprintf(expected, sizeof expected, "%04d-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                  static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), static_cast<long long>(hms.hours().count()),
                  static_cast<long long>(hms.minutes().count()),
                  static_cast<long long>(hms.seconds().count()),
                  static_cast<long long>(hms.subseconds().count()));
    ASSERT_EQ(platform::FormatTimestamp(t), expected);
  }
}

namespace {

using platform::FormatTimestamp;
using platform::ParseTimestamp;

TEST(TimeRange, TimesPastTheNanosecondClockFormatAsThemselves) {
  // 2300 wrapped to 1715 when milliseconds went through system_clock's nanoseconds.
  auto t = ParseTimestamp("2300-01-01T00:00:00Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(FormatTimestamp(*t), "2300-01-01T00:00:00.000Z");
  ASSERT_TRUE(platform::FormatTimestampText(*t).has_value());
  EXPECT_EQ(platform::FormatTimestampText(*t)->view(), "2300-01-01T00:00:00.000Z");
}

TEST(TimeRange, AcceptsExactlyTheYears1970To9999) {
  auto last = ParseTimestamp("9999-12-31T23:59:59.999Z");
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(*last, platform::kMaxTime);
  EXPECT_EQ(FormatTimestamp(*last), "9999-12-31T23:59:59.999Z");
  auto first = ParseTimestamp("1970-01-01T00:00:00Z");
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(*first, platform::kMinTime);
  EXPECT_EQ(FormatTimestamp(*first), "1970-01-01T00:00:00.000Z");
  EXPECT_FALSE(ParseTimestamp("1969-12-31T23:59:59.999Z").has_value());
  EXPECT_FALSE(ParseTimestamp("0000-01-01T00:00:00Z").has_value());
  // Offsets that push a time across either end.
  EXPECT_FALSE(ParseTimestamp("9999-12-31T23:00:00-14:00").has_value());
  EXPECT_FALSE(ParseTimestamp("1970-01-01T00:00:00+01:00").has_value());
  EXPECT_TRUE(ParseTimestamp("9999-12-31T23:59:59+14:00").has_value());
  EXPECT_TRUE(ParseTimestamp("1970-01-01T00:00:00-01:00").has_value());
}

TEST(TimeRange, LeapSecondsAndOutOfRangeFieldsAreRefused) {
  EXPECT_FALSE(ParseTimestamp("2016-12-31T23:59:60Z").has_value());
  EXPECT_FALSE(ParseTimestamp("2026-01-01T24:00:00Z").has_value());
  EXPECT_FALSE(ParseTimestamp("2026-01-01T00:00:00+24:00").has_value());
  EXPECT_FALSE(ParseTimestamp("2026-13-01T00:00:00Z").has_value());
}

TEST(TimeRange, AddSecondsIsCheckedAtBothEnds) {
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  EXPECT_EQ(platform::AddSeconds(platform::kMinTime, 1), platform::kMinTime + seconds(1));
  EXPECT_FALSE(platform::AddSeconds(platform::kMinTime, -1).has_value());
  EXPECT_FALSE(platform::AddSeconds(platform::kMaxTime, 1).has_value());
  EXPECT_EQ(platform::AddSeconds(platform::kMaxTime - seconds(1), 1), platform::kMaxTime);
  EXPECT_FALSE(platform::AddSeconds(platform::kMinTime, INT64_MAX).has_value());
  EXPECT_FALSE(platform::AddSeconds(platform::kMaxTime, INT64_MIN).has_value());
  EXPECT_FALSE(platform::AddSeconds(platform::TimePoint(milliseconds(INT64_MAX)), 0).has_value());
}

}  // namespace
