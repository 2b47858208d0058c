// Calendar dates as API.md writes them.
#include <cstdio>

#include "domain/progress.hpp"

namespace progress::domain {

std::string FormatDay(Day day) {
  const std::chrono::year_month_day date{day};
  char text[32];
  const int length =
      std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(date.year()),
                    static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return {text, static_cast<std::size_t>(length)};
}

}  // namespace progress::domain
