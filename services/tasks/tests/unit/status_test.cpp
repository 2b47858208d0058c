#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "domain/task.hpp"
#include "task_test_support.hpp"

namespace tasks::domain {
namespace {

using namespace test_support;  // NOLINT(build/namespaces): shared fixtures
using std::chrono::minutes;

const Time kLater = After(minutes(5));

std::vector<ChecklistItem> Items(std::initializer_list<bool> ticks) {
  std::vector<ChecklistItem> items;
  for (bool done : ticks) items.push_back({"id", "step", done});
  return items;
}

TEST(EnumNamesTest, RoundTripEveryValue) {
  for (Status status : {Status::kTodo, Status::kInProgress, Status::kDone, Status::kExpired}) {
    EXPECT_EQ(ParseStatus(ToString(status)), status);
  }
  for (Priority priority :
       {Priority::kNone, Priority::kLow, Priority::kMedium, Priority::kHigh, Priority::kUrgent}) {
    EXPECT_EQ(ParsePriority(ToString(priority)), priority);
  }
  for (OnExpire on_expire : {OnExpire::kKeep, OnExpire::kDelete}) {
    EXPECT_EQ(ParseOnExpire(ToString(on_expire)), on_expire);
  }
}

TEST(EnumNamesTest, UseTheApiSpelling) {
  EXPECT_EQ(ToString(Status::kInProgress), "in_progress");
  EXPECT_EQ(ToString(Status::kExpired), "expired");
  EXPECT_EQ(ToString(Priority::kUrgent), "urgent");
  EXPECT_EQ(ToString(OnExpire::kDelete), "delete");
}

TEST(EnumNamesTest, ParsingIsExactAndCaseSensitive) {
  EXPECT_FALSE(ParseStatus("in-progress").has_value());
  EXPECT_FALSE(ParseStatus("Done").has_value());
  EXPECT_FALSE(ParsePriority("").has_value());
  EXPECT_FALSE(ParsePriority("HIGH").has_value());
  EXPECT_FALSE(ParseOnExpire("keep ").has_value());
}

TEST(PriorityRankTest, OrdersNoneBelowUrgent) {
  EXPECT_EQ(PriorityRank(Priority::kNone), 0);
  EXPECT_EQ(PriorityRank(Priority::kLow), 1);
  EXPECT_EQ(PriorityRank(Priority::kMedium), 2);
  EXPECT_EQ(PriorityRank(Priority::kHigh), 3);
  EXPECT_EQ(PriorityRank(Priority::kUrgent), 4);
}

TEST(DeriveProgressTest, EmptyChecklistIsZero) { EXPECT_EQ(DeriveProgress({}), 0); }

TEST(DeriveProgressTest, RoundsToTheNearestWithHalvesUp) {
  EXPECT_EQ(DeriveProgress(Items({true, false, false})), 33);
  EXPECT_EQ(DeriveProgress(Items({true, true, false})), 67);
  EXPECT_EQ(DeriveProgress(Items({true, false, false, false, false, false, false, false})), 13);
  EXPECT_EQ(DeriveProgress(Items({true, false})), 50);
  EXPECT_EQ(DeriveProgress(Items({true, true})), 100);
  EXPECT_EQ(DeriveProgress(Items({false, false})), 0);
}

TEST(DeriveProgressTest, OnlyAFullyTickedListOfAHundredReachesOneHundred) {
  std::vector<ChecklistItem> items(100, {"id", "step", true});
  items.back().done = false;
  EXPECT_EQ(DeriveProgress(items), 99);
  items.assign(100, {"id", "step", false});
  items.front().done = true;
  EXPECT_EQ(DeriveProgress(items), 1);
}

TEST(StatusForProgressTest, ZeroTodoBetweenInProgressHundredDone) {
  EXPECT_EQ(StatusForProgress(0), Status::kTodo);
  EXPECT_EQ(StatusForProgress(1), Status::kInProgress);
  EXPECT_EQ(StatusForProgress(99), Status::kInProgress);
  EXPECT_EQ(StatusForProgress(100), Status::kDone);
}

TEST(CompleteTest, MakesATaskWithoutChecklistDone) {
  const Task task = Created();
  const Task done = *Complete(task, kLater);
  EXPECT_EQ(done.status, Status::kDone);
  EXPECT_EQ(done.progress, 100);
  EXPECT_EQ(done.completed_at, kLater);
  EXPECT_EQ(done.version, task.version + 1);
  EXPECT_EQ(done.updated_at, kLater);
}

TEST(CompleteTest, TicksEveryChecklistItem) {
  const Task done = *Complete(WithChecklist({{"a", true}, {"b", false}}), kLater);
  EXPECT_EQ(done.status, Status::kDone);
  EXPECT_EQ(done.progress, 100);
  for (const ChecklistItem& item : done.checklist) EXPECT_TRUE(item.done) << item.text;
}

TEST(CompleteTest, CompletingTwiceIsANoOp) {
  const Task done = *Complete(Created(), kLater);
  const Task again = *Complete(done, kLater + minutes(1));
  EXPECT_EQ(again.version, done.version);
  EXPECT_EQ(again.completed_at, kLater);
  EXPECT_EQ(again.updated_at, kLater);
}

TEST(ReopenTest, WithoutChecklistReturnsToTodoAtZero) {
  const Task done = *Complete(Created(), kLater);
  const Task reopened = *Reopen(done, kLater + minutes(1));
  EXPECT_EQ(reopened.status, Status::kTodo);
  EXPECT_EQ(reopened.progress, 0);
  EXPECT_FALSE(reopened.completed_at.has_value());
  EXPECT_EQ(reopened.version, done.version + 1);
  EXPECT_EQ(reopened.updated_at, kLater + minutes(1));
}

TEST(ReopenTest, WithChecklistKeepsTheTicksAndIsInProgress) {
  const Task done = *Complete(WithChecklist({{"a", false}, {"b", false}}), kLater);
  const Task reopened = *Reopen(done, kLater);
  EXPECT_EQ(reopened.status, Status::kInProgress);
  EXPECT_EQ(reopened.progress, 100);
  EXPECT_FALSE(reopened.completed_at.has_value());
  for (const ChecklistItem& item : reopened.checklist) EXPECT_TRUE(item.done);
}

TEST(ReopenTest, ATaskThatIsNotDoneIsUnchanged) {
  const Task task = Created();
  const Task same = *Reopen(task, kLater);
  EXPECT_EQ(same.version, task.version);
  EXPECT_EQ(same.status, Status::kTodo);
}

TEST(ReopenTest, TheNextChangeAtOneHundredCompletesAgain) {
  const Task reopened = *Reopen(*Complete(WithChecklist({{"a", true}}), kLater), kLater);
  ASSERT_EQ(reopened.status, Status::kInProgress);
  TaskPatch patch;
  patch.title = {true, "renamed"};
  const Task patched = *ApplyPatch(reopened, patch, kLater + minutes(1));
  EXPECT_EQ(patched.status, Status::kDone);
  EXPECT_EQ(patched.completed_at, kLater + minutes(1));
}

TEST(ReopenTest, ThenCompleteAgainWorks) {
  const Task reopened = *Reopen(*Complete(Created(), kLater), kLater);
  const Task done = *Complete(reopened, kLater + minutes(2));
  EXPECT_EQ(done.status, Status::kDone);
  EXPECT_EQ(done.completed_at, kLater + minutes(2));
}

}  // namespace
}  // namespace tasks::domain
