#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>

#include "domain/progress.hpp"

namespace progress::domain {
namespace {

TEST(SupersedesTest, NewerVersionApplies) {
  EXPECT_TRUE(Supersedes(2, 1));
  EXPECT_TRUE(Supersedes(10, 3));  // a gap (missed versions) still moves forward
}

TEST(SupersedesTest, RedeliveredVersionChangesNothing) { EXPECT_FALSE(Supersedes(3, 3)); }

TEST(SupersedesTest, OlderVersionArrivingLateChangesNothing) {
  EXPECT_FALSE(Supersedes(2, 3));
  EXPECT_FALSE(Supersedes(1, std::numeric_limits<std::int64_t>::max()));
}

TEST(SupersedesTest, FirstEventForAnEntityApplies) {
  EXPECT_TRUE(Supersedes(1, std::nullopt));
  // Not the first version either: the read model may start after the entity did.
  EXPECT_TRUE(Supersedes(7, std::nullopt));
}

TEST(SupersedesTest, ApplyingInAnyOrderEndsAtTheHighestVersion) {
  std::optional<std::int64_t> stored;
  int applied = 0;
  for (std::int64_t incoming : {1, 3, 2, 3, 1, 4, 4}) {
    if (Supersedes(incoming, stored)) {
      stored = incoming;
      ++applied;
    }
  }
  EXPECT_EQ(stored, 4);
  EXPECT_EQ(applied, 3);  // 1, 3, 4
}

}  // namespace
}  // namespace progress::domain
