#include <gtest/gtest.h>

#include <chrono>

#include "domain/task.hpp"
#include "task_test_support.hpp"

namespace tasks::domain {
namespace {

using namespace test_support;  // NOLINT(build/namespaces): shared fixtures
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

TaskDraft DraftWithTtl(std::int64_t ttl) {
  TaskDraft draft = Draft();
  draft.ttl_seconds = ttl;
  return draft;
}

TEST(CreateExpiryTest, TtlBoundsAreOneSecondAndThreeHundredSixtySixDays) {
  ExpectInvalid(CreateTask(DraftWithTtl(0), Context()), {"ttl_seconds"});
  ExpectInvalid(CreateTask(DraftWithTtl(-5), Context()), {"ttl_seconds"});
  EXPECT_EQ(Created(DraftWithTtl(1)).expires_at, After(seconds(1)));
  EXPECT_EQ(Created(DraftWithTtl(31'622'400)).expires_at, After(seconds(31'622'400)));
  ExpectInvalid(CreateTask(DraftWithTtl(31'622'401), Context()), {"ttl_seconds"});
}

TEST(CreateExpiryTest, HugeTtlIsRefusedWithoutOverflow) {
  ExpectInvalid(CreateTask(DraftWithTtl(INT64_MAX), Context()), {"ttl_seconds"});
}

TEST(CreateExpiryTest, ExpiresAtMustBeStrictlyInTheFuture) {
  TaskDraft draft = Draft();
  draft.expires_at = After(milliseconds(-1));
  ExpectInvalid(CreateTask(draft, Context()), {"expires_at"});
  draft.expires_at = kNow;
  ExpectInvalid(CreateTask(draft, Context()), {"expires_at"});
  draft.expires_at = After(milliseconds(1));
  EXPECT_EQ(Created(draft).expires_at, After(milliseconds(1)));
}

TEST(CreateExpiryTest, ExpiresAtAndTtlTogetherAreRefusedOnBothFields) {
  TaskDraft draft = DraftWithTtl(60);
  draft.expires_at = After(hours(1));
  ExpectInvalid(CreateTask(draft, Context()), {"expires_at", "ttl_seconds"});
}

TEST(CreateExpiryTest, OwnersDefaultTtlAppliesWhenNeitherIsGiven) {
  CreateContext context = Context();
  context.default_ttl_seconds = 86'400;
  EXPECT_EQ(CreateTask(Draft(), context)->expires_at, After(hours(24)));
}

TEST(CreateExpiryTest, ExplicitExpiryBeatsTheOwnersDefault) {
  CreateContext context = Context();
  context.default_ttl_seconds = 86'400;
  EXPECT_EQ(CreateTask(DraftWithTtl(60), context)->expires_at, After(seconds(60)));
  TaskDraft draft = Draft();
  draft.expires_at = After(hours(2));
  EXPECT_EQ(CreateTask(draft, context)->expires_at, After(hours(2)));
}

TEST(CreateExpiryTest, WithoutADefaultTheTaskNeverExpires) {
  EXPECT_FALSE(Created().expires_at.has_value());
}

TEST(IsDueTest, FalseWithoutExpiry) { EXPECT_FALSE(IsDue(Created(), After(hours(10'000)))); }

TEST(IsDueTest, TrueFromTheExpiryInstantOn) {
  const Task task = Created(DraftWithTtl(60));
  EXPECT_FALSE(IsDue(task, After(seconds(60) - milliseconds(1))));
  EXPECT_TRUE(IsDue(task, After(seconds(60))));
  EXPECT_TRUE(IsDue(task, After(hours(1))));
}

TEST(IsDueTest, FalseForADoneTask) {
  TaskDraft draft = DraftWithTtl(60);
  draft.progress = 100;
  const Task task = Created(draft);
  ASSERT_EQ(task.status, Status::kDone);
  EXPECT_FALSE(IsDue(task, After(hours(1))));
}

TEST(IsDueTest, FalseForAnAlreadyExpiredTask) {
  EXPECT_FALSE(IsDue(ExpiredTask(), After(hours(1))));
}

TEST(ExpireTest, SetsStatusExpiredAtVersionAndUpdatedAt) {
  TaskDraft draft = DraftWithTtl(60);
  draft.progress = 40;
  const Task task = Created(draft);
  const Task expired = Expire(task, After(seconds(61)));
  EXPECT_EQ(expired.status, Status::kExpired);
  EXPECT_EQ(expired.expired_at, After(seconds(61)));
  EXPECT_EQ(expired.version, task.version + 1);
  EXPECT_EQ(expired.updated_at, After(seconds(61)));
  EXPECT_EQ(expired.progress, 40);  // kept, so a revival knows where the task stood
  EXPECT_EQ(expired.expires_at, task.expires_at);
}

TEST(ExpireTest, LeavesATaskThatIsNotDueUnchanged) {
  const Task task = Created(DraftWithTtl(60));
  const Task same = Expire(task, After(seconds(30)));
  EXPECT_EQ(same.status, Status::kTodo);
  EXPECT_EQ(same.version, task.version);
  EXPECT_FALSE(same.expired_at.has_value());
}

TEST(ExpiredTaskTest, RefusesAPatchWithoutANewExpiry) {
  TaskPatch patch;
  patch.title = {true, "New title"};
  ExpectKind(ApplyPatch(ExpiredTask(), patch, After(hours(1))), platform::ErrorKind::kConflict);
  ExpectKind(ApplyPatch(ExpiredTask(), TaskPatch{}, After(hours(1))),
             platform::ErrorKind::kConflict);
}

TEST(ExpiredTaskTest, RefusesClearingTheExpiry) {
  TaskPatch patch;
  patch.expires_at = {true, std::nullopt};
  ExpectKind(ApplyPatch(ExpiredTask(), patch, After(hours(1))), platform::ErrorKind::kConflict);
}

TEST(ExpiredTaskTest, RefusesCompleteAndReopen) {
  ExpectKind(Complete(ExpiredTask(), After(hours(1))), platform::ErrorKind::kConflict);
  ExpectKind(Reopen(ExpiredTask(), After(hours(1))), platform::ErrorKind::kConflict);
}

TEST(ExpiredTaskTest, RefusesChecklistOperations) {
  TaskDraft draft = Draft();
  draft.checklist = std::vector<NewChecklistItem>{{"a", false}};
  const Task expired = ExpiredTask(draft);
  ExpectKind(AddChecklistItem(expired, "item-new", "b", After(hours(1))),
             platform::ErrorKind::kConflict);
  ExpectKind(UpdateChecklistItem(expired, "item-0", std::nullopt, true, After(hours(1))),
             platform::ErrorKind::kConflict);
  ExpectKind(RemoveChecklistItem(expired, "item-0", After(hours(1))),
             platform::ErrorKind::kConflict);
}

TEST(ExpiredTaskTest, AnExpiryStillInThePastIsAValidationError) {
  TaskPatch patch;
  patch.expires_at = {true, After(seconds(30))};
  ExpectInvalid(ApplyPatch(ExpiredTask(), patch, After(hours(1))), {"expires_at"});
}

TEST(ExpiredTaskTest, RevivesWhenExpiresAtMovesForward) {
  TaskDraft draft = Draft();
  draft.progress = 30;
  const Task expired = ExpiredTask(draft);
  TaskPatch patch;
  patch.expires_at = {true, After(hours(5))};
  const auto revived = ApplyPatch(expired, patch, After(hours(1)));
  ASSERT_TRUE(revived.has_value()) << revived.error().detail;
  EXPECT_EQ(revived->status, Status::kInProgress);
  EXPECT_FALSE(revived->expired_at.has_value());
  EXPECT_EQ(revived->expires_at, After(hours(5)));
  EXPECT_EQ(revived->version, expired.version + 1);
  EXPECT_EQ(revived->updated_at, After(hours(1)));
}

TEST(ExpiredTaskTest, RevivesWhenTtlIsGiven) {
  const Task expired = ExpiredTask();
  TaskPatch patch;
  patch.ttl_seconds = {true, 3600};
  const auto revived = ApplyPatch(expired, patch, After(hours(1)));
  ASSERT_TRUE(revived.has_value()) << revived.error().detail;
  EXPECT_EQ(revived->status, Status::kTodo);
  EXPECT_EQ(revived->expires_at, After(hours(2)));
  EXPECT_FALSE(revived->expired_at.has_value());
}

TEST(ExpiredTaskTest, RevivalMayCarryOtherChanges) {
  TaskPatch patch;
  patch.ttl_seconds = {true, 3600};
  patch.title = {true, "Tadarus juz 6"};
  patch.progress = {true, 100};
  const auto revived = ApplyPatch(ExpiredTask(), patch, After(hours(1)));
  ASSERT_TRUE(revived.has_value()) << revived.error().detail;
  EXPECT_EQ(revived->title, "Tadarus juz 6");
  EXPECT_EQ(revived->status, Status::kDone);
  EXPECT_EQ(revived->completed_at, After(hours(1)));
}

TEST(ExpiredTaskTest, RevivalWithAnInvalidOtherFieldIsRefusedWhole) {
  TaskPatch patch;
  patch.ttl_seconds = {true, 3600};
  patch.title = {true, ""};
  ExpectInvalid(ApplyPatch(ExpiredTask(), patch, After(hours(1))), {"title"});
}

}  // namespace
}  // namespace tasks::domain
