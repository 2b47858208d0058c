// Streak: consecutive local dates with a completion, counted back from today (or yesterday).
#include <set>

#include "domain/progress.hpp"

namespace progress::domain {

int StreakDays(std::span<const Time> completions, const Zone& zone, Time now) {
  std::set<Day> completion_days;
  for (Time at : completions) completion_days.insert(zone.LocalDay(at));

  const Day today = zone.LocalDay(now);
  // Today without a completion yet does not break the streak: the day is not over.
  Day day = completion_days.contains(today) ? today : today - std::chrono::days(1);
  int streak = 0;
  while (completion_days.contains(day)) {
    ++streak;
    day -= std::chrono::days(1);
  }
  return streak;
}

}  // namespace progress::domain
