// Who sees a list's tasks, and who made a change an older event does not name
// (domain/sharing.hpp).
#include "domain/sharing.hpp"

#include <gtest/gtest.h>

namespace progress::domain {
namespace {

TEST(ListAudienceTest, TheOwnerComesFirstAndEveryMemberOnce) {
  auto audience = ListAudience(
      "o", {{"o", "owner"}, {"a", "editor"}, {"b", "viewer"}, {"a", "viewer"}});
  ASSERT_EQ(audience.size(), 3u);
  EXPECT_EQ(audience[0].user_id, "o");
  EXPECT_EQ(audience[0].role, "owner");
  EXPECT_EQ(audience[1].user_id, "a");
  EXPECT_EQ(audience[1].role, "editor") << "the first mention wins";
  EXPECT_EQ(audience[2].user_id, "b");
}

TEST(ListAudienceTest, AnOwnerLeftOutOfTheMembersStillSeesTheList) {
  auto audience = ListAudience("o", {{"a", "viewer"}});
  ASSERT_EQ(audience.size(), 2u);
  EXPECT_EQ(audience[0].user_id, "o");
  EXPECT_EQ(audience[0].role, "owner");
  EXPECT_EQ(audience[1].user_id, "a");
  EXPECT_EQ(ListAudience("o", {}).size(), 1u);
}

TEST(ActorOfTest, AnEventThatNamesItsActorIsTakenAtItsWord) {
  EXPECT_EQ(ActorOf(EventKind::kUpdated, {true, "m"}, "o", std::nullopt), "m");
  EXPECT_EQ(ActorOf(EventKind::kUpdated, {true, std::nullopt}, "o", std::nullopt), std::nullopt)
      << "null: nobody (the scheduler, an erasure)";
  EXPECT_EQ(ActorOf(EventKind::kExpired, {true, "m"}, "o", std::nullopt), "m");
}

TEST(ActorOfTest, AnOlderEventWithoutActorIsItsOwnersUnlessTheSchedulerMadeIt) {
  for (auto kind : {EventKind::kCreated, EventKind::kUpdated, EventKind::kCompleted,
                    EventKind::kReopened, EventKind::kDeleted}) {
    EXPECT_EQ(ActorOf(kind, {}, "o", std::nullopt), "o") << ToString(kind);
  }
  EXPECT_EQ(ActorOf(EventKind::kExpired, {}, "o", std::nullopt), std::nullopt);
  EXPECT_EQ(ActorOf(EventKind::kDeleted, {}, "o", "expired"), std::nullopt)
      << "on_expire: delete is the scheduler's";
  EXPECT_EQ(ActorOf(EventKind::kDeleted, {}, "o", "list_deleted"), "o");
}

}  // namespace
}  // namespace progress::domain
