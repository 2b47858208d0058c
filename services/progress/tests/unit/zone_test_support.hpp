#pragma once
// Shared fixtures of the progress domain tests: instants written as UTC calendar times, and a
// fixed-offset Zone, so expected local dates can be worked out by hand.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "domain/progress.hpp"
#include "infra/zone/tz_zone.hpp"

namespace progress::domain::test_support {

using namespace std::chrono_literals;

// An instant given in UTC: At(2026y / 3 / 10, 17h + 30min).
inline Time At(std::chrono::year_month_day date,
               std::chrono::milliseconds time_of_day = std::chrono::milliseconds(0)) {
  return Time{std::chrono::sys_days{date}} + time_of_day;
}

inline Day DayOf(std::chrono::year_month_day date) { return std::chrono::sys_days{date}; }

// FixedOffsetZone: local time is UTC plus a constant offset, all year.
class FixedOffsetZone : public Zone {
 public:
  explicit FixedOffsetZone(std::chrono::minutes offset) : offset_(offset) {}

  [[nodiscard]] Day LocalDay(Time t) const override {
    return std::chrono::floor<std::chrono::days>(t + offset_);
  }
  [[nodiscard]] Time StartOfDay(Day day) const override { return Time{day} - offset_; }

 private:
  std::chrono::minutes offset_;
};

inline const FixedOffsetZone kUtc{std::chrono::minutes(0)};
inline const FixedOffsetZone kJakarta{std::chrono::hours(7)};         // UTC+7
inline const FixedOffsetZone kNewYorkWinter{std::chrono::hours(-5)};  // EST, no DST

// A real zone from the tz database; the tests fail loudly if the database lacks it.
inline std::unique_ptr<infra::TzZone> RealZone(std::string_view name) {
  auto zone = infra::TzZone::Load(name);
  EXPECT_EQ(zone->name(), name) << "tz database lacks " << name;
  return zone;
}

}  // namespace progress::domain::test_support
