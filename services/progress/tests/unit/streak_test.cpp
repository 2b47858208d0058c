#include <gtest/gtest.h>

#include <vector>

#include "domain/progress.hpp"
#include "zone_test_support.hpp"

namespace progress::domain {
namespace {

using namespace test_support;  // NOLINT(build/namespaces): shared fixtures
using std::chrono::March;
using std::chrono::November;
using std::chrono::October;

const Time kNow = At(2026y / March / 10, 15h);  // a Tuesday afternoon, UTC

// An instant at noon UTC, `days_ago` days before kNow's date.
Time NoonDaysAgo(int days_ago) { return At(2026y / March / 10, 12h) - std::chrono::days(days_ago); }

TEST(StreakDaysTest, IsZeroWithoutCompletions) { EXPECT_EQ(StreakDays({}, kUtc, kNow), 0); }

TEST(StreakDaysTest, TodayAloneIsOne) {
  const std::vector<Time> completions{NoonDaysAgo(0)};
  EXPECT_EQ(StreakDays(completions, kUtc, kNow), 1);
}

TEST(StreakDaysTest, LastsThroughTodayUntilTheDayIsOver) {
  // Nothing yet today: the streak that ended yesterday still stands.
  const std::vector<Time> completions{NoonDaysAgo(1), NoonDaysAgo(2), NoonDaysAgo(3)};
  EXPECT_EQ(StreakDays(completions, kUtc, kNow), 3);
  EXPECT_EQ(StreakDays(completions, kUtc, At(2026y / March / 10, 23h + 59min)), 3);
}

TEST(StreakDaysTest, EndsWhenAWholeDayPassesWithoutACompletion) {
  const std::vector<Time> completions{NoonDaysAgo(2), NoonDaysAgo(3)};
  EXPECT_EQ(StreakDays(completions, kUtc, kNow), 0);
}

TEST(StreakDaysTest, CountsOnlyTheDaysAfterTheLastGap) {
  const std::vector<Time> completions{NoonDaysAgo(0), NoonDaysAgo(1), NoonDaysAgo(3),
                                      NoonDaysAgo(4), NoonDaysAgo(5)};
  EXPECT_EQ(StreakDays(completions, kUtc, kNow), 2);
}

TEST(StreakDaysTest, ManyCompletionsOnOneDayCountOnce) {
  const Time today = At(2026y / March / 10);
  const std::vector<Time> completions{today + 1h, today + 2h,     today + 2h,
                                      today + 3h, NoonDaysAgo(1), NoonDaysAgo(1)};
  EXPECT_EQ(StreakDays(completions, kUtc, kNow), 2);
}

TEST(StreakDaysTest, TakesCompletionsInAnyOrder) {
  const std::vector<Time> completions{NoonDaysAgo(2), NoonDaysAgo(0), NoonDaysAgo(3),
                                      NoonDaysAgo(1)};
  EXPECT_EQ(StreakDays(completions, kUtc, kNow), 4);
}

TEST(StreakDaysTest, CompletionsAfterNowDoNotExtendIt) {
  const std::vector<Time> completions{NoonDaysAgo(1), NoonDaysAgo(-1), NoonDaysAgo(-2)};
  EXPECT_EQ(StreakDays(completions, kUtc, kNow), 1);
}

TEST(StreakDaysTest, TheZoneDecidesWhichDayACompletionCounts) {
  // 17:30Z on 3-10 is 00:30 on 3-11 in Jakarta.
  const std::vector<Time> completions{At(2026y / March / 10, 17h + 30min)};
  const Time now = At(2026y / March / 12, 1h);           // 3-12 in both zones
  EXPECT_EQ(StreakDays(completions, kUtc, now), 0);      // last completion 3-10: gap on 3-11
  EXPECT_EQ(StreakDays(completions, kJakarta, now), 1);  // completed yesterday, 3-11
  EXPECT_EQ(StreakDays(completions, *RealZone("Asia/Jakarta"), now), 1);
}

TEST(StreakDaysTest, SpansTheDaylightSavingChange) {
  // New York evenings around 2026-03-08 (23 hours long) and 2026-11-01 (25 hours long).
  const auto new_york = RealZone("America/New_York");
  const std::vector<Time> spring{
      At(2026y / March / 8, 4h + 30min),   // 3-7 23:30 EST
      At(2026y / March / 9, 3h + 30min),   // 3-8 23:30 EDT
      At(2026y / March / 10, 3h + 30min),  // 3-9 23:30 EDT
  };
  EXPECT_EQ(StreakDays(spring, *new_york, At(2026y / March / 10, 14h)), 3);

  const std::vector<Time> autumn{
      At(2026y / November / 1, 4h),          // 11-1 00:00 EDT, the day's first instant
      At(2026y / November / 2, 4h + 59min),  // 11-1 23:59 EST
  };
  EXPECT_EQ(StreakDays(autumn, *new_york, At(2026y / November / 2, 4h + 59min)), 1);
  const std::vector<Time> autumn_with_saturday{
      At(2026y / October / 31, 16h),  // 10-31 12:00 EDT
      At(2026y / November / 2, 4h + 59min),
  };
  EXPECT_EQ(StreakDays(autumn_with_saturday, *new_york, At(2026y / November / 2, 12h)), 2);
}

TEST(StreakDaysTest, AZoneWithoutDaylightSavingCountsDifferentDays) {
  // 04:30Z on 3-9 is Monday 00:30 EDT in New York, but Sunday 23:30 at a fixed UTC-5.
  const std::vector<Time> completions{At(2026y / March / 7, 17h),
                                      At(2026y / March / 9, 4h + 30min)};
  const Time now = At(2026y / March / 9, 12h);
  EXPECT_EQ(StreakDays(completions, *RealZone("America/New_York"), now), 1);  // Sunday missed
  EXPECT_EQ(StreakDays(completions, kNewYorkWinter, now), 2);                 // Saturday and Sunday
}

}  // namespace
}  // namespace progress::domain
