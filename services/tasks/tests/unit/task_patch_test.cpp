#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "domain/task.hpp"
#include "task_test_support.hpp"

namespace tasks::domain {
namespace {

using namespace test_support;  // NOLINT(build/namespaces): shared fixtures
using std::chrono::hours;
using std::chrono::seconds;

const Time kLater = After(std::chrono::minutes(5));

Task Patched(const Task& task, const TaskPatch& patch) {
  auto result = ApplyPatch(task, patch, kLater);
  EXPECT_TRUE(result.has_value()) << result.error().detail;
  return *result;
}

TaskPatch ProgressPatch(std::int64_t progress) {
  TaskPatch patch;
  patch.progress = {true, progress};
  return patch;
}

TEST(ApplyPatchTest, ChangesOnlyThePresentFields) {
  TaskDraft draft = Draft();
  draft.description = "keep me";
  draft.priority = "high";
  const Task task = Created(draft);
  TaskPatch patch;
  patch.title = {true, "  Tadarus juz 6  "};
  const Task patched = Patched(task, patch);
  EXPECT_EQ(patched.title, "Tadarus juz 6");
  EXPECT_EQ(patched.description, "keep me");
  EXPECT_EQ(patched.priority, Priority::kHigh);
  EXPECT_EQ(patched.created_at, kNow);
}

TEST(ApplyPatchTest, EveryAcceptedPatchBumpsVersionAndUpdatedAt) {
  const Task task = Created();
  const Task patched = Patched(task, TaskPatch{});  // even one that changes nothing
  EXPECT_EQ(patched.version, task.version + 1);
  EXPECT_EQ(patched.updated_at, kLater);
}

TEST(ApplyPatchTest, RefusedPatchReportsEveryInvalidField) {
  TaskPatch patch;
  patch.title = {true, std::string(201, 'a')};
  patch.description = {true, std::string(10'001, 'a')};
  patch.progress = {true, 101};
  patch.priority = {true, "p1"};
  patch.labels = {true, std::vector<std::string>(21, "x")};
  patch.ttl_seconds = {true, 0};
  patch.on_expire = {true, "never"};
  const auto result = ApplyPatch(Created(), patch, kLater);
  // 21 copies of one label: the count is too high and each later copy is a duplicate.
  std::vector<std::string> fields = {"title", "description", "progress", "priority", "labels"};
  for (int i = 1; i < 21; ++i) fields.push_back("labels[" + std::to_string(i) + "]");
  fields.insert(fields.end(), {"ttl_seconds", "on_expire"});
  ExpectInvalid(result, fields);
}

TEST(ApplyPatchTest, TitleBoundsAndControlsApplyAsOnCreate) {
  TaskPatch patch;
  patch.title = {true, std::string(200, 'b')};
  EXPECT_EQ(Patched(Created(), patch).title.size(), 200U);
  patch.title = {true, std::string(201, 'b')};
  ExpectInvalid(ApplyPatch(Created(), patch, kLater), {"title"});
  patch.title = {true, "line\nbreak"};
  ExpectInvalid(ApplyPatch(Created(), patch, kLater), {"title"});
  patch.title = {true, " "};
  ExpectInvalid(ApplyPatch(Created(), patch, kLater), {"title"});
}

TEST(ApplyPatchTest, NullTitleOrProgressIsRefused) {
  TaskPatch patch;
  patch.title = {true, std::nullopt};
  patch.progress = {true, std::nullopt};
  ExpectInvalid(ApplyPatch(Created(), patch, kLater), {"title", "progress"});
}

TEST(ApplyPatchTest, NullResetsFieldsThatHaveADefault) {
  TaskDraft draft = Draft();
  draft.description = "notes";
  draft.priority = "low";
  draft.labels = std::vector<std::string>{"a"};
  draft.on_expire = "delete";
  draft.due_at = After(hours(3));
  TaskPatch patch;
  patch.description = {true, std::nullopt};
  patch.priority = {true, std::nullopt};
  patch.labels = {true, std::nullopt};
  patch.on_expire = {true, std::nullopt};
  patch.due_at = {true, std::nullopt};
  const Task patched = Patched(Created(draft), patch);
  EXPECT_EQ(patched.description, "");
  EXPECT_EQ(patched.priority, Priority::kNone);
  EXPECT_TRUE(patched.labels.empty());
  EXPECT_EQ(patched.on_expire, OnExpire::kKeep);
  EXPECT_FALSE(patched.due_at.has_value());
}

TEST(ApplyPatchTest, LabelsAreReplacedAndCheckedAsOnCreate) {
  TaskPatch patch;
  patch.labels = {true, std::vector<std::string>{" fiqh ", "hadith"}};
  EXPECT_EQ(Patched(Created(), patch).labels, (std::vector<std::string>{"fiqh", "hadith"}));
  patch.labels = {true, std::vector<std::string>{"fiqh", "fiqh"}};
  ExpectInvalid(ApplyPatch(Created(), patch, kLater), {"labels[1]"});
  patch.labels = {true, std::vector<std::string>{std::string(50, 'l'), std::string(51, 'l')}};
  ExpectInvalid(ApplyPatch(Created(), patch, kLater), {"labels[1]"});
}

TEST(ApplyPatchTest, DescriptionAllowsTabsButNotOtherControls) {
  TaskPatch patch;
  patch.description = {true, "a\tb"};
  EXPECT_EQ(Patched(Created(), patch).description, "a\tb");
  patch.description = {true, "a\vb"};
  ExpectInvalid(ApplyPatch(Created(), patch, kLater), {"description"});
}

TEST(ApplyPatchTest, ProgressBoundsAreZeroAndOneHundred) {
  ExpectInvalid(ApplyPatch(Created(), ProgressPatch(-1), kLater), {"progress"});
  ExpectInvalid(ApplyPatch(Created(), ProgressPatch(101), kLater), {"progress"});
  EXPECT_EQ(Patched(Created(), ProgressPatch(0)).progress, 0);
  EXPECT_EQ(Patched(Created(), ProgressPatch(100)).progress, 100);
}

TEST(ApplyPatchTest, ProgressAboveZeroMovesTodoToInProgress) {
  const Task patched = Patched(Created(), ProgressPatch(1));
  EXPECT_EQ(patched.status, Status::kInProgress);
  EXPECT_FALSE(patched.completed_at.has_value());
}

TEST(ApplyPatchTest, ProgressOfOneHundredMakesTheTaskDone) {
  const Task patched = Patched(Created(), ProgressPatch(100));
  EXPECT_EQ(patched.status, Status::kDone);
  EXPECT_EQ(patched.completed_at, kLater);
}

TEST(ApplyPatchTest, LoweringProgressOfADoneTaskMovesItBackToInProgress) {
  const Task done = Patched(Created(), ProgressPatch(100));
  const Task lowered = Patched(done, ProgressPatch(60));
  EXPECT_EQ(lowered.status, Status::kInProgress);
  EXPECT_FALSE(lowered.completed_at.has_value());
}

TEST(ApplyPatchTest, ProgressBackToZeroMovesTheTaskToTodo) {
  const Task started = Patched(Created(), ProgressPatch(50));
  EXPECT_EQ(Patched(started, ProgressPatch(0)).status, Status::kTodo);
}

TEST(ApplyPatchTest, ADoneTaskKeepsItsCompletionTimeAcrossOtherEdits) {
  const Task done = Patched(Created(), ProgressPatch(100));
  TaskPatch patch;
  patch.title = {true, "renamed"};
  const Task renamed = *ApplyPatch(done, patch, kLater + hours(1));
  EXPECT_EQ(renamed.status, Status::kDone);
  EXPECT_EQ(renamed.completed_at, kLater);
}

TEST(ApplyPatchTest, ProgressWithANonEmptyChecklistIsRefused) {
  const Task task = WithChecklist({{"a", false}});
  ExpectInvalid(ApplyPatch(task, ProgressPatch(50), kLater), {"progress"});
}

TEST(ApplyPatchTest, TtlSetsExpiryFromNow) {
  TaskPatch patch;
  patch.ttl_seconds = {true, 1};
  EXPECT_EQ(Patched(Created(), patch).expires_at, kLater + seconds(1));
  patch.ttl_seconds = {true, 31'622'400};
  EXPECT_EQ(Patched(Created(), patch).expires_at, kLater + seconds(31'622'400));
  patch.ttl_seconds = {true, 0};
  ExpectInvalid(ApplyPatch(Created(), patch, kLater), {"ttl_seconds"});
  patch.ttl_seconds = {true, 31'622'401};
  ExpectInvalid(ApplyPatch(Created(), patch, kLater), {"ttl_seconds"});
}

TEST(ApplyPatchTest, NullTtlIsRefused) {
  TaskPatch patch;
  patch.ttl_seconds = {true, std::nullopt};
  ExpectInvalid(ApplyPatch(Created(), patch, kLater), {"ttl_seconds"});
}

TEST(ApplyPatchTest, NullExpiresAtClearsTheExpiry) {
  TaskDraft draft = Draft();
  draft.ttl_seconds = 3600;
  TaskPatch patch;
  patch.expires_at = {true, std::nullopt};
  EXPECT_FALSE(Patched(Created(draft), patch).expires_at.has_value());
}

TEST(ApplyPatchTest, ExpiresAtMustBeInTheFuture) {
  TaskPatch patch;
  patch.expires_at = {true, kLater};
  ExpectInvalid(ApplyPatch(Created(), patch, kLater), {"expires_at"});
  patch.expires_at = {true, kNow};
  ExpectInvalid(ApplyPatch(Created(), patch, kLater), {"expires_at"});
  patch.expires_at = {true, kLater + std::chrono::milliseconds(1)};
  EXPECT_EQ(Patched(Created(), patch).expires_at, kLater + std::chrono::milliseconds(1));
}

TEST(ApplyPatchTest, ExpiresAtAndTtlTogetherAreRefusedOnBothFields) {
  TaskPatch patch;
  patch.expires_at = {true, kLater + hours(1)};
  patch.ttl_seconds = {true, 60};
  ExpectInvalid(ApplyPatch(Created(), patch, kLater), {"expires_at", "ttl_seconds"});
}

TEST(ApplyPatchTest, OwnersDefaultTtlIsNotReappliedOnPatch) {
  CreateContext context = Context();
  context.default_ttl_seconds = 60;
  const Task task = *CreateTask(Draft(), context);
  TaskPatch patch;
  patch.expires_at = {true, std::nullopt};
  EXPECT_FALSE(Patched(task, patch).expires_at.has_value());
}

}  // namespace
}  // namespace tasks::domain
