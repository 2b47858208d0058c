// Completion rate: the share of a person's tasks that are done.
#include <cmath>

#include "domain/progress.hpp"

namespace progress::domain {

double CompletionRate(const StatusCounts& counts) {
  const std::int64_t total = counts.Total();
  if (total <= 0) return 0.0;
  const double rate = static_cast<double>(counts.done) / static_cast<double>(total);
  // Four decimals: enough for a percentage with two, and a stable value in JSON.
  return std::round(rate * 10'000.0) / 10'000.0;
}

}  // namespace progress::domain
