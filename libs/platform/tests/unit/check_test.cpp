#include <gtest/gtest.h>

#include <string>

#include "platform/check.hpp"

namespace {

platform::Result<int> Half(int n) {
  TODO_CHECK(n % 2 == 0, "only even numbers are halved");
  return n / 2;
}

TEST(CheckTest, AHeldInvariantPassesThrough) { EXPECT_EQ(Half(8), 4); }

#ifdef NDEBUG
std::string reported;
void Remember(std::string_view what, const std::source_location&) { reported = what; }

TEST(CheckTest, ABrokenInvariantIsReportedAndFailsTheCallInRelease) {
  platform::SetInvariantReporter(&Remember);
  long before = platform::BrokenInvariantCount();
  auto r = Half(3);
  platform::SetInvariantReporter(nullptr);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, platform::ErrorKind::kInternal);
  EXPECT_EQ(reported, "only even numbers are halved: n % 2 == 0");
  EXPECT_EQ(platform::BrokenInvariantCount(), before + 1);
}
#else
TEST(CheckDeathTest, ABrokenInvariantAbortsInDebug) {
  EXPECT_DEATH((void)Half(3), "broken invariant at .*only even numbers are halved: n % 2 == 0");
}
#endif

}  // namespace
