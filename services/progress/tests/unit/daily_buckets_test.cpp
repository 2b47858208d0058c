#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "domain/progress.hpp"
#include "zone_test_support.hpp"

namespace progress::domain {
namespace {

using namespace test_support;  // NOLINT(build/namespaces): shared fixtures
using std::chrono::March;
using std::chrono::November;
using std::chrono::October;

ActivityPoint Point(EventKind kind, std::string task_id, Time at) {
  return {kind, std::move(task_id), at};
}

// The bucket of one date; fails the test when the buckets do not hold that date.
DayCounts BucketOn(const std::vector<DayCounts>& buckets, Day date) {
  for (const DayCounts& bucket : buckets) {
    if (bucket.date == date) return bucket;
  }
  ADD_FAILURE() << "no bucket for " << FormatDay(date);
  return {};
}

int TotalCreated(const std::vector<DayCounts>& buckets) {
  int total = 0;
  for (const DayCounts& bucket : buckets) total += bucket.created;
  return total;
}

TEST(DailyBucketsTest, HoldsExactlyTheRequestedDaysOldestFirstEndingToday) {
  const auto buckets = DailyBuckets({}, kUtc, At(2026y / March / 10, 12h), 7);
  ASSERT_EQ(buckets.size(), 7u);
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    EXPECT_EQ(buckets[i].date, DayOf(2026y / March / 4) + std::chrono::days(i));
    EXPECT_EQ(buckets[i].created + buckets[i].completed + buckets[i].expired, 0);
  }
}

TEST(DailyBucketsTest, TodayIsTheLocalDateOfNow) {
  const Time now = At(2026y / March / 10, 17h + 30min);
  EXPECT_EQ(DailyBuckets({}, kUtc, now, 3).back().date, DayOf(2026y / March / 10));
  EXPECT_EQ(DailyBuckets({}, kJakarta, now, 3).back().date, DayOf(2026y / March / 11));
  EXPECT_EQ(DailyBuckets({}, kNewYorkWinter, At(2026y / March / 10, 3h), 3).back().date,
            DayOf(2026y / March / 9));
}

TEST(DailyBucketsTest, TheZoneDecidesWhichDateAnEventFallsOn) {
  // 17:30Z is 00:30 the next morning in Jakarta (UTC+7).
  const std::vector<ActivityPoint> points{
      Point(EventKind::kCreated, "t1", At(2026y / March / 10, 17h + 30min))};
  const Time now = At(2026y / March / 11, 2h);

  const auto utc = DailyBuckets(points, kUtc, now, 2);
  EXPECT_EQ(BucketOn(utc, DayOf(2026y / March / 10)).created, 1);
  EXPECT_EQ(BucketOn(utc, DayOf(2026y / March / 11)).created, 0);

  const auto jakarta = DailyBuckets(points, kJakarta, now, 2);
  EXPECT_EQ(BucketOn(jakarta, DayOf(2026y / March / 10)).created, 0);
  EXPECT_EQ(BucketOn(jakarta, DayOf(2026y / March / 11)).created, 1);

  const auto real_jakarta = DailyBuckets(points, *RealZone("Asia/Jakarta"), now, 2);
  EXPECT_EQ(BucketOn(real_jakarta, DayOf(2026y / March / 11)).created, 1);
}

TEST(DailyBucketsTest, LocalMidnightBelongsToTheDayItStarts) {
  const Time jakarta_midnight = At(2026y / March / 10, 17h);  // 2026-03-11 00:00 in Jakarta
  const std::vector<ActivityPoint> points{
      Point(EventKind::kCompleted, "at-midnight", jakarta_midnight),
      Point(EventKind::kCompleted, "just-before", jakarta_midnight - 1ms),
  };
  const auto real_jakarta = RealZone("Asia/Jakarta");
  for (const Zone* zone :
       {static_cast<const Zone*>(&kJakarta), static_cast<const Zone*>(real_jakarta.get())}) {
    const auto buckets = DailyBuckets(points, *zone, At(2026y / March / 11, 6h), 2);
    EXPECT_EQ(BucketOn(buckets, DayOf(2026y / March / 10)).completed, 1);
    EXPECT_EQ(BucketOn(buckets, DayOf(2026y / March / 11)).completed, 1);
  }
}

TEST(DailyBucketsTest, FollowsTheDaylightSavingChangeInNewYork) {
  // On 2026-03-08 New York moves from EST (UTC-5) to EDT (UTC-4) at 07:00Z.
  const auto new_york = RealZone("America/New_York");
  const std::vector<ActivityPoint> points{
      Point(EventKind::kCreated, "sat-night", At(2026y / March / 8, 4h + 30min)),   // 3-7 23:30
      Point(EventKind::kCreated, "after-jump", At(2026y / March / 8, 7h + 30min)),  // 3-8 03:30
      Point(EventKind::kCreated, "sun-night", At(2026y / March / 9, 3h + 59min)),   // 3-8 23:59
      Point(EventKind::kCreated, "mon-early", At(2026y / March / 9, 4h + 30min)),   // 3-9 00:30
  };
  const Time now = At(2026y / March / 10, 15h);
  const auto buckets = DailyBuckets(points, *new_york, now, 4);
  ASSERT_EQ(buckets.size(), 4u);
  EXPECT_EQ(buckets.front().date, DayOf(2026y / March / 7));
  EXPECT_EQ(BucketOn(buckets, DayOf(2026y / March / 7)).created, 1);
  EXPECT_EQ(BucketOn(buckets, DayOf(2026y / March / 8)).created, 2);
  EXPECT_EQ(BucketOn(buckets, DayOf(2026y / March / 9)).created, 1);
  EXPECT_EQ(BucketOn(buckets, DayOf(2026y / March / 10)).created, 0);

  // A zone that ignores DST puts the Monday 00:30 event on Sunday: the real zone matters.
  const auto fixed = DailyBuckets(points, kNewYorkWinter, now, 4);
  EXPECT_EQ(BucketOn(fixed, DayOf(2026y / March / 8)).created, 3);
  EXPECT_EQ(BucketOn(fixed, DayOf(2026y / March / 9)).created, 0);
}

TEST(DailyBucketsTest, FollowsTheFallBackInNewYork) {
  // On 2026-11-01 New York goes back from EDT to EST at 06:00Z: that day lasts 25 hours.
  const auto new_york = RealZone("America/New_York");
  const std::vector<ActivityPoint> points{
      Point(EventKind::kExpired, "early", At(2026y / November / 1, 4h + 30min)),  // 00:30 EDT
      Point(EventKind::kExpired, "late", At(2026y / November / 2, 4h + 30min)),   // 23:30 EST
      Point(EventKind::kExpired, "next", At(2026y / November / 2, 5h + 30min)),   // 11-2 00:30
  };
  const auto buckets = DailyBuckets(points, *new_york, At(2026y / November / 2, 12h), 3);
  EXPECT_EQ(BucketOn(buckets, DayOf(2026y / October / 31)).expired, 0);
  EXPECT_EQ(BucketOn(buckets, DayOf(2026y / November / 1)).expired, 2);
  EXPECT_EQ(BucketOn(buckets, DayOf(2026y / November / 2)).expired, 1);
}

TEST(DailyBucketsTest, CountsDistinctTasksPerDateAndKind) {
  const Time day = At(2026y / March / 10);
  const std::vector<ActivityPoint> points{
      // t1: created, completed, reopened, completed again, all on 3-10.
      Point(EventKind::kCreated, "t1", day + 8h),
      Point(EventKind::kCompleted, "t1", day + 9h),
      Point(EventKind::kReopened, "t1", day + 10h),
      Point(EventKind::kCompleted, "t1", day + 11h),
      // t2: completed on 3-10, and (after a reopen) again on 3-11.
      Point(EventKind::kCompleted, "t2", day + 12h),
      Point(EventKind::kCompleted, "t2", day + 30h),
      // t3: expired twice (a redelivery that got past the version check) on 3-11.
      Point(EventKind::kExpired, "t3", day + 26h),
      Point(EventKind::kExpired, "t3", day + 27h),
  };
  const auto buckets = DailyBuckets(points, kUtc, day + 40h, 2);
  const DayCounts tenth = BucketOn(buckets, DayOf(2026y / March / 10));
  EXPECT_EQ(tenth.created, 1);
  EXPECT_EQ(tenth.completed, 2);
  EXPECT_EQ(tenth.expired, 0);
  const DayCounts eleventh = BucketOn(buckets, DayOf(2026y / March / 11));
  EXPECT_EQ(eleventh.created, 0);
  EXPECT_EQ(eleventh.completed, 1);
  EXPECT_EQ(eleventh.expired, 1);
}

TEST(DailyBucketsTest, IgnoresKindsTheBucketsDoNotShow) {
  const Time now = At(2026y / March / 10, 12h);
  const std::vector<ActivityPoint> points{
      Point(EventKind::kUpdated, "t1", now - 1h),
      Point(EventKind::kReopened, "t1", now - 1h),
      Point(EventKind::kDeleted, "t1", now - 1h),
  };
  const DayCounts today = DailyBuckets(points, kUtc, now, 1).front();
  EXPECT_EQ(today.created + today.completed + today.expired, 0);
}

TEST(DailyBucketsTest, OneDayHoldsOnlyToday) {
  const Time now = At(2026y / March / 10, 12h);
  const std::vector<ActivityPoint> points{
      Point(EventKind::kCreated, "today", At(2026y / March / 10)),
      Point(EventKind::kCreated, "yesterday", At(2026y / March / 10) - 1ms),
  };
  const auto buckets = DailyBuckets(points, kUtc, now, 1);
  ASSERT_EQ(buckets.size(), 1u);
  EXPECT_EQ(buckets[0].date, DayOf(2026y / March / 10));
  EXPECT_EQ(buckets[0].created, 1);
}

TEST(DailyBucketsTest, AYearOfDaysStartsThreeHundredSixtyFourDaysBeforeToday) {
  const Time now = At(2026y / March / 10, 12h);  // 2026-03-10 19:00 in Jakarta
  const Day first = DayOf(2025y / March / 11);
  const Time first_midnight = kJakarta.StartOfDay(first);
  const std::vector<ActivityPoint> points{
      Point(EventKind::kCreated, "first-instant", first_midnight),
      Point(EventKind::kCreated, "one-ms-too-early", first_midnight - 1ms),
      Point(EventKind::kCreated, "today", now),
  };
  const auto buckets = DailyBuckets(points, kJakarta, now, 365);
  ASSERT_EQ(buckets.size(), 365u);
  EXPECT_EQ(buckets.front().date, first);
  EXPECT_EQ(buckets.back().date, DayOf(2026y / March / 10));
  EXPECT_EQ(buckets.front().created, 1);
  EXPECT_EQ(buckets.back().created, 1);
  EXPECT_EQ(TotalCreated(buckets), 2);
  for (std::size_t i = 1; i < buckets.size(); ++i) {
    ASSERT_EQ(buckets[i].date - buckets[i - 1].date, std::chrono::days(1)) << i;
  }
}

TEST(DailyBucketsTest, IgnoresPointsOutsideTheRange) {
  const Time now = At(2026y / March / 10, 12h);
  const std::vector<ActivityPoint> points{
      Point(EventKind::kCreated, "too-old", At(2026y / March / 3, 23h + 59min)),
      Point(EventKind::kCreated, "oldest-day", At(2026y / March / 4)),
      Point(EventKind::kCreated, "later-today", At(2026y / March / 10, 23h + 59min)),
      Point(EventKind::kCreated, "tomorrow", At(2026y / March / 11)),
      Point(EventKind::kCreated, "far-future", At(2027y / March / 10)),
  };
  const auto buckets = DailyBuckets(points, kUtc, now, 7);
  EXPECT_EQ(buckets.front().created, 1);
  EXPECT_EQ(buckets.back().created, 1);
  EXPECT_EQ(TotalCreated(buckets), 2);
}

}  // namespace
}  // namespace progress::domain
