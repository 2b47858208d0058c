#include <gtest/gtest.h>

#include "domain/progress.hpp"

namespace progress::domain {
namespace {

TEST(CompletionRateTest, IsZeroWithoutTasks) { EXPECT_EQ(CompletionRate(StatusCounts{}), 0.0); }

TEST(CompletionRateTest, IsDoneOverEveryStatus) {
  // Expired tasks count in the total: they were not done.
  EXPECT_DOUBLE_EQ(CompletionRate({.todo = 1, .in_progress = 1, .done = 1, .expired = 1}), 0.25);
  EXPECT_DOUBLE_EQ(CompletionRate({.done = 3}), 1.0);
  EXPECT_DOUBLE_EQ(CompletionRate({.todo = 5}), 0.0);
}

TEST(CompletionRateTest, RoundsToFourDecimals) {
  EXPECT_DOUBLE_EQ(CompletionRate({.todo = 2, .done = 1}), 0.3333);
  EXPECT_DOUBLE_EQ(CompletionRate({.todo = 1, .done = 2}), 0.6667);
  EXPECT_DOUBLE_EQ(CompletionRate({.todo = 9999, .done = 1}), 0.0001);
  EXPECT_DOUBLE_EQ(CompletionRate({.todo = 20001, .done = 1}), 0.0);  // 0.0000499...
}

TEST(CompletionRateTest, HandlesLargeCounts) {
  EXPECT_DOUBLE_EQ(CompletionRate({.todo = 3'000'000'000, .done = 1'000'000'000}), 0.25);
}

}  // namespace
}  // namespace progress::domain
