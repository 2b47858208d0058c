#include <gtest/gtest.h>

#include <chrono>

#include "domain/progress.hpp"

namespace progress::domain {
namespace {

using namespace std::chrono_literals;

TEST(FormatDayTest, WritesYearMonthDayWithLeadingZeros) {
  EXPECT_EQ(FormatDay(std::chrono::sys_days{2026y / std::chrono::March / 9}), "2026-03-09");
  EXPECT_EQ(FormatDay(std::chrono::sys_days{2026y / std::chrono::December / 31}), "2026-12-31");
  EXPECT_EQ(FormatDay(Day{}), "1970-01-01");
  EXPECT_EQ(FormatDay(std::chrono::sys_days{999y / std::chrono::January / 1}), "0999-01-01");
}

}  // namespace
}  // namespace progress::domain
