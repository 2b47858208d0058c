#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "domain/task.hpp"
#include "task_test_support.hpp"

namespace tasks::domain {
namespace {

using namespace test_support;  // NOLINT(build/namespaces): shared fixtures

const Time kLater = After(std::chrono::minutes(5));

Task Ok(platform::Result<Task> result) {
  EXPECT_TRUE(result.has_value()) << result.error().detail;
  return result.value_or(Task{});
}

TEST(AddChecklistItemTest, AppendsAnUntickedTrimmedItem) {
  const Task task = Created();
  const Task added = Ok(AddChecklistItem(task, "item-new", "  read juz 5 ", kLater));
  ASSERT_EQ(added.checklist.size(), 1U);
  EXPECT_EQ(added.checklist[0].id, "item-new");
  EXPECT_EQ(added.checklist[0].text, "read juz 5");
  EXPECT_FALSE(added.checklist[0].done);
  EXPECT_EQ(added.version, task.version + 1);
  EXPECT_EQ(added.updated_at, kLater);
}

TEST(AddChecklistItemTest, ProgressBecomesDerivedFromTheChecklist) {
  TaskDraft draft = Draft();
  draft.progress = 40;
  const Task added = Ok(AddChecklistItem(Created(draft), "item-new", "step", kLater));
  EXPECT_EQ(added.progress, 0);
  EXPECT_EQ(added.status, Status::kTodo);
}

TEST(AddChecklistItemTest, AnUntickedItemReopensADoneTask) {
  const Task done = WithChecklist({{"a", true}});
  ASSERT_EQ(done.status, Status::kDone);
  const Task added = Ok(AddChecklistItem(done, "item-new", "b", kLater));
  EXPECT_EQ(added.progress, 50);
  EXPECT_EQ(added.status, Status::kInProgress);
  EXPECT_FALSE(added.completed_at.has_value());
}

TEST(AddChecklistItemTest, TheHundredthItemIsAcceptedAndTheHundredFirstRefused) {
  TaskDraft draft = Draft();
  draft.checklist = std::vector<NewChecklistItem>(99, {"step", false});
  const Task full = Ok(AddChecklistItem(Created(draft), "item-99", "step", kLater));
  EXPECT_EQ(full.checklist.size(), 100U);
  ExpectInvalid(AddChecklistItem(full, "item-100", "step", kLater), {"checklist"});
}

TEST(AddChecklistItemTest, TextOfFiveHundredCharactersIsAcceptedAndFiveHundredOneRefused) {
  EXPECT_TRUE(AddChecklistItem(Created(), "i", Repeat("\xC3\xA9", 500), kLater).has_value());
  ExpectInvalid(AddChecklistItem(Created(), "i", Repeat("\xC3\xA9", 501), kLater), {"text"});
}

TEST(AddChecklistItemTest, BlankControlOrBrokenTextIsRefused) {
  ExpectInvalid(AddChecklistItem(Created(), "i", "   ", kLater), {"text"});
  ExpectInvalid(AddChecklistItem(Created(), "i", "a\tb", kLater), {"text"});
  ExpectInvalid(AddChecklistItem(Created(), "i", "a\xC2\x80", kLater), {"text"});
  ExpectInvalid(AddChecklistItem(Created(), "i", "\xE2\x82", kLater), {"text"});
}

TEST(UpdateChecklistItemTest, TickingMovesProgressAndStatus) {
  const Task task = WithChecklist({{"a", false}, {"b", false}});
  const Task half = Ok(UpdateChecklistItem(task, "item-0", std::nullopt, true, kLater));
  EXPECT_EQ(half.progress, 50);
  EXPECT_EQ(half.status, Status::kInProgress);
  EXPECT_EQ(half.version, task.version + 1);
  const Time end = kLater + std::chrono::minutes(1);
  const Task all = Ok(UpdateChecklistItem(half, "item-1", std::nullopt, true, end));
  EXPECT_EQ(all.progress, 100);
  EXPECT_EQ(all.status, Status::kDone);
  EXPECT_EQ(all.completed_at, end);
}

TEST(UpdateChecklistItemTest, UntickingADoneTaskMovesItBackToInProgress) {
  const Task done = WithChecklist({{"a", true}, {"b", true}});
  const Task unticked = Ok(UpdateChecklistItem(done, "item-1", std::nullopt, false, kLater));
  EXPECT_EQ(unticked.progress, 50);
  EXPECT_EQ(unticked.status, Status::kInProgress);
  EXPECT_FALSE(unticked.completed_at.has_value());
}

TEST(UpdateChecklistItemTest, UntickingEverythingReturnsToTodo) {
  const Task task = WithChecklist({{"a", true}, {"b", false}});
  EXPECT_EQ(Ok(UpdateChecklistItem(task, "item-0", std::nullopt, false, kLater)).status,
            Status::kTodo);
}

TEST(UpdateChecklistItemTest, TextIsTrimmedAndChecked) {
  const Task task = WithChecklist({{"a", false}});
  const Task renamed = Ok(UpdateChecklistItem(task, "item-0", " renamed ", std::nullopt, kLater));
  EXPECT_EQ(renamed.checklist[0].text, "renamed");
  EXPECT_FALSE(renamed.checklist[0].done);
  ExpectInvalid(UpdateChecklistItem(task, "item-0", "", std::nullopt, kLater), {"text"});
  ExpectInvalid(UpdateChecklistItem(task, "item-0", std::string(501, 'x'), std::nullopt, kLater),
                {"text"});
}

TEST(UpdateChecklistItemTest, UnknownItemIsNotFound) {
  ExpectKind(UpdateChecklistItem(WithChecklist({{"a", false}}), "nope", std::nullopt, true, kLater),
             platform::ErrorKind::kNotFound);
}

TEST(RemoveChecklistItemTest, RecomputesProgressFromTheRemainingItems) {
  const Task task = WithChecklist({{"a", true}, {"b", false}});
  const Task removed = Ok(RemoveChecklistItem(task, "item-1", kLater));
  ASSERT_EQ(removed.checklist.size(), 1U);
  EXPECT_EQ(removed.checklist[0].id, "item-0");
  EXPECT_EQ(removed.progress, 100);
  EXPECT_EQ(removed.status, Status::kDone);
  EXPECT_EQ(removed.completed_at, kLater);
  EXPECT_EQ(removed.version, task.version + 1);
}

TEST(RemoveChecklistItemTest, RemovingTheLastItemKeepsTheLastDerivedProgress) {
  const Task done = WithChecklist({{"a", true}});
  const Task emptied = Ok(RemoveChecklistItem(done, "item-0", kLater));
  EXPECT_TRUE(emptied.checklist.empty());
  EXPECT_EQ(emptied.progress, 100);
  EXPECT_EQ(emptied.status, Status::kDone);
  EXPECT_EQ(emptied.completed_at, kNow);  // still the original completion
  EXPECT_EQ(emptied.version, done.version + 1);

  const Task untouched = Ok(RemoveChecklistItem(WithChecklist({{"a", false}}), "item-0", kLater));
  EXPECT_EQ(untouched.progress, 0);
  EXPECT_EQ(untouched.status, Status::kTodo);
}

TEST(RemoveChecklistItemTest, AnEmptiedChecklistLetsProgressBeSetAgain) {
  const Task emptied = Ok(RemoveChecklistItem(WithChecklist({{"a", false}}), "item-0", kLater));
  TaskPatch patch;
  patch.progress = {true, 30};
  EXPECT_EQ(Ok(ApplyPatch(emptied, patch, kLater)).progress, 30);
}

TEST(RemoveChecklistItemTest, UnknownItemIsNotFound) {
  ExpectKind(RemoveChecklistItem(Created(), "nope", kLater), platform::ErrorKind::kNotFound);
}

}  // namespace
}  // namespace tasks::domain
