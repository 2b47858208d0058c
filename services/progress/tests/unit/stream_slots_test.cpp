#include "infra/rest/stream_slots.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace progress::infra {
namespace {

TEST(StreamSlots, RefusesTheStreamBeyondTheQuotaAndClosingOneFreesASlot) {
  StreamSlots slots(5);
  std::vector<StreamSlots::Slot> open;
  for (int i = 0; i < 5; ++i) {
    auto slot = slots.Acquire("alice");
    ASSERT_TRUE(slot.has_value()) << i;
    open.push_back(std::move(*slot));
  }
  EXPECT_FALSE(slots.Acquire("alice").has_value());
  EXPECT_TRUE(slots.Acquire("bob").has_value());  // another user has slots of their own
  open.pop_back();
  EXPECT_EQ(slots.Open("alice"), 4u);
  EXPECT_TRUE(slots.Acquire("alice").has_value());
}

TEST(StreamSlots, ForgetsUsersWithoutOpenStreams) {
  StreamSlots slots(2);
  {
    auto slot = slots.Acquire("alice");
  }
  EXPECT_EQ(slots.Open("alice"), 0u);
  auto moved = slots.Acquire("alice");
  ASSERT_TRUE(moved.has_value());
  StreamSlots::Slot kept = std::move(*moved);
  moved.reset();  // a moved-from slot gives nothing back
  EXPECT_EQ(slots.Open("alice"), 1u);
}

}  // namespace
}  // namespace progress::infra
