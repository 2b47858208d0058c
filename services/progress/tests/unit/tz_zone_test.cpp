#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "infra/zone/tz_zone.hpp"
#include "zone_test_support.hpp"

namespace progress::infra {
namespace {

using namespace domain::test_support;  // NOLINT(build/namespaces): shared fixtures
using domain::Day;
using domain::Time;
using std::chrono::March;
using std::chrono::November;
using std::chrono::October;
using std::chrono::September;

TEST(TzZoneTest, LoadsAnIanaZone) {
  const auto jakarta = RealZone("Asia/Jakarta");
  EXPECT_EQ(jakarta->LocalDay(At(2026y / March / 10, 16h + 59min)), DayOf(2026y / March / 10));
  EXPECT_EQ(jakarta->LocalDay(At(2026y / March / 10, 17h)), DayOf(2026y / March / 11));
  EXPECT_EQ(jakarta->StartOfDay(DayOf(2026y / March / 11)), At(2026y / March / 10, 17h));
}

TEST(TzZoneTest, FallsBackToUtcForNamesTheDatabaseDoesNotKnow) {
  for (const std::string& name : std::vector<std::string>{
           "", "Mars/Olympus_Mons", "asia/jakarta_", "../../etc/passwd", "/etc/localtime",
           std::string("Asia/Jakarta\0x", 14), "Asia/Jakarta "}) {
    const auto zone = TzZone::Load(name);
    ASSERT_NE(zone, nullptr);
    EXPECT_EQ(zone->name(), "UTC") << '"' << name << '"';
    EXPECT_EQ(zone->LocalDay(At(2026y / March / 10, 23h + 59min)), DayOf(2026y / March / 10));
    EXPECT_EQ(zone->LocalDay(At(2026y / March / 11)), DayOf(2026y / March / 11));
    EXPECT_EQ(zone->StartOfDay(DayOf(2026y / March / 11)), At(2026y / March / 11));
  }
}

TEST(TzZoneTest, StartOfDayFollowsTheOffsetOfThatDate) {
  const auto new_york = RealZone("America/New_York");
  EXPECT_EQ(new_york->StartOfDay(DayOf(2026y / March / 8)), At(2026y / March / 8, 5h));  // EST
  EXPECT_EQ(new_york->StartOfDay(DayOf(2026y / March / 9)), At(2026y / March / 9, 4h));  // EDT
  EXPECT_EQ(new_york->StartOfDay(DayOf(2026y / November / 1)), At(2026y / November / 1, 4h));
  EXPECT_EQ(new_york->StartOfDay(DayOf(2026y / November / 2)), At(2026y / November / 2, 5h));
}

TEST(TzZoneTest, StartOfDayIsTheEndOfTheGapWhenMidnightDoesNotExist) {
  // Santiago jumps from 2026-09-06 00:00 -04 to 01:00 -03, at 04:00Z.
  const auto santiago = RealZone("America/Santiago");
  const Time start = santiago->StartOfDay(DayOf(2026y / September / 6));
  EXPECT_EQ(start, At(2026y / September / 6, 4h));
  EXPECT_EQ(santiago->LocalDay(start), DayOf(2026y / September / 6));
  EXPECT_EQ(santiago->LocalDay(start - 1ms), DayOf(2026y / September / 5));

  // Havana jumps from 2026-03-08 00:00 CST to 01:00 CDT, at 05:00Z.
  const auto havana = RealZone("America/Havana");
  EXPECT_EQ(havana->StartOfDay(DayOf(2026y / March / 8)), At(2026y / March / 8, 5h));
}

TEST(TzZoneTest, StartOfDayIsTheFirstMidnightWhenMidnightHappensTwice) {
  // Havana goes back from 2026-11-01 01:00 CDT to 00:00 CST: midnight is at 04:00Z and 05:00Z.
  const auto havana = RealZone("America/Havana");
  const Time start = havana->StartOfDay(DayOf(2026y / November / 1));
  EXPECT_EQ(start, At(2026y / November / 1, 4h));
  EXPECT_EQ(havana->LocalDay(start - 1ms), DayOf(2026y / October / 31));
  EXPECT_EQ(havana->LocalDay(At(2026y / November / 1, 5h)), DayOf(2026y / November / 1));
}

TEST(TzZoneTest, EveryDayStartsRightAfterThePreviousOneEnds) {
  // Zones with DST at midnight, half-hour DST, odd offsets, and none; every date of 2026-2027.
  for (const char* name : {"UTC", "Asia/Jakarta", "America/New_York", "America/Santiago",
                           "America/Havana", "Australia/Lord_Howe", "Asia/Kathmandu",
                           "Pacific/Chatham", "Europe/London", "Pacific/Kiritimati"}) {
    const auto zone = RealZone(name);
    for (Day day = DayOf(2026y / 1 / 1); day < DayOf(2028y / 1 / 1); day += std::chrono::days(1)) {
      const Time start = zone->StartOfDay(day);
      ASSERT_EQ(zone->LocalDay(start), day) << name << ' ' << domain::FormatDay(day);
      ASSERT_EQ(zone->LocalDay(start - 1ms), day - std::chrono::days(1))
          << name << ' ' << domain::FormatDay(day);
    }
  }
}

TEST(TzZoneTest, MatchesAFixedOffsetWhereTheZoneHasNoDaylightSaving) {
  const auto jakarta = RealZone("Asia/Jakarta");
  for (Time t = At(2026y / 1 / 1); t < At(2026y / 2 / 1); t += 37min) {
    ASSERT_EQ(jakarta->LocalDay(t), kJakarta.LocalDay(t));
  }
}

}  // namespace
}  // namespace progress::infra
