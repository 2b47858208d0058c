#include "platform/time.hpp"

#include <gtest/gtest.h>

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
