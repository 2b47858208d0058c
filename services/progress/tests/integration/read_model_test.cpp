// The progress read model against the local PostgreSQL: events folded in by EventApplier, then
// read back through PgProgressStore and the use cases (GetSummary, GetDaily, GetActivity), with
// the clock fixed by the test and zones from the tz database.

#include <rapidjson/document.h>

#include "progress_test_env.hpp"

namespace progress::itest {
namespace {

using std::chrono::days;
using std::chrono::year;

constexpr auto kMarch = year{2026} / 3;

class ReadModelTest : public ProgressDbTest {
 protected:
  // A task of `owner` as its todo.task.created carries it.
  static TaskState NewTask(const std::string& owner, Time at, std::string title = "Tadarus juz 5") {
    TaskState t;
    t.owner_id = owner;
    t.title = std::move(title);
    t.created_at = at;
    t.updated_at = at;
    return t;
  }
  // The task's next version at `at`; the caller changes what the event changes.
  static TaskState Next(TaskState t, Time at) {
    ++t.version;
    t.updated_at = at;
    return t;
  }
  static TaskState Progressed(const TaskState& t, int progress, Time at) {
    auto n = Next(t, at);
    n.progress = progress;
    n.status = progress == 0 ? "todo" : "in_progress";
    return n;
  }
  static TaskState Completed(const TaskState& t, Time at) {
    auto n = Next(t, at);
    n.status = "done";
    n.progress = 100;
    n.completed_at = at;
    return n;
  }

  // Applies created, then completed at `done_at`; returns the final state.
  TaskState CreateAndComplete(const std::string& owner, Time created_at, Time done_at) {
    auto t = NewTask(owner, created_at);
    Apply(TaskEvent("created", t, created_at));
    auto done = Completed(t, done_at);
    Apply(TaskEvent("completed", done, done_at));
    return done;
  }

  UserState NewUser(std::string timezone, Time at) {
    UserState u;
    u.timezone = std::move(timezone);
    u.created_at = at;
    u.updated_at = at;
    return u;
  }

  std::int64_t Rows(std::string_view table, const std::string& owner) {
    // The table names are this file's own constants, never input.
    if (table == "task_state") {
      return Count("it_count_tasks", "SELECT count(*) FROM task_state WHERE owner_id = $1",
                   {owner});
    }
    if (table == "activity") {
      return Count("it_count_activity", "SELECT count(*) FROM activity WHERE owner_id = $1",
                   {owner});
    }
    if (table == "person") {
      return Count("it_count_person", "SELECT count(*) FROM person WHERE user_id = $1", {owner});
    }
    return Count("it_count_forgotten", "SELECT count(*) FROM forgotten_person WHERE user_id = $1",
                 {owner});
  }

  std::string owner_ = platform::NewUuidV7();
};

TEST_F(ReadModelTest, SummaryCountsTasksByStatusWithAverageProgressAndCompletionRate) {
  Time t0 = At(kMarch / 10, 9h);
  auto open = NewTask(owner_, t0);
  Apply(TaskEvent("created", open, t0));
  auto working = NewTask(owner_, t0 + 1min);
  Apply(TaskEvent("created", working, t0 + 1min));
  Apply(TaskEvent("updated", Progressed(working, 50, t0 + 2min), t0 + 2min));
  CreateAndComplete(owner_, t0 + 3min, t0 + 4min);
  auto lapsed = NewTask(owner_, t0 + 5min);
  lapsed.expires_at = t0 + 1h;
  Apply(TaskEvent("created", lapsed, t0 + 5min));
  auto lapsed_progress = Progressed(lapsed, 20, t0 + 6min);
  Apply(TaskEvent("updated", lapsed_progress, t0 + 6min));
  auto expired = Next(lapsed_progress, t0 + 1h);
  expired.status = "expired";
  expired.expired_at = t0 + 1h;
  Apply(TaskEvent("expired", expired, t0 + 1h));
  auto gone = NewTask(owner_, t0 + 7min);
  Apply(TaskEvent("created", gone, t0 + 7min));
  Apply(TaskDeleted(gone, 2, t0 + 8min));
  // Someone else's tasks count for them only.
  std::string other = platform::NewUuidV7();
  CreateAndComplete(other, t0, t0 + 1min);

  auto summary = Summary(owner_);
  EXPECT_EQ(summary.aggregates.counts.todo, 1);
  EXPECT_EQ(summary.aggregates.counts.in_progress, 1);
  EXPECT_EQ(summary.aggregates.counts.done, 1);
  EXPECT_EQ(summary.aggregates.counts.expired, 1);
  EXPECT_DOUBLE_EQ(summary.aggregates.average_progress, (0 + 50 + 100 + 20) / 4.0);
  EXPECT_DOUBLE_EQ(summary.completion_rate, 0.25);
  EXPECT_EQ(summary.as_of, clock_.Now());
  EXPECT_EQ(Activity(owner_).size(), 10u);

  auto theirs = Summary(other);
  EXPECT_EQ(theirs.aggregates.counts.Total(), 1);
  EXPECT_EQ(theirs.aggregates.counts.done, 1);
  EXPECT_DOUBLE_EQ(theirs.completion_rate, 1.0);

  auto nobody = Summary(platform::NewUuidV7());
  EXPECT_EQ(nobody.aggregates.counts.Total(), 0);
  EXPECT_DOUBLE_EQ(nobody.aggregates.average_progress, 0.0);
  EXPECT_DOUBLE_EQ(nobody.completion_rate, 0.0);
  EXPECT_EQ(nobody.streak_days, 0);
}

TEST_F(ReadModelTest, OverdueCountsOpenTasksPastTheirDueTimeAsTheClockMoves) {
  Time due = At(kMarch / 11, 18h);
  Time t0 = At(kMarch / 9, 8h);
  auto soon = NewTask(owner_, t0);
  soon.due_at = due;
  Apply(TaskEvent("created", soon, t0));
  auto later = NewTask(owner_, t0);
  later.due_at = due + days(2);
  Apply(TaskEvent("created", later, t0));
  Apply(TaskEvent("updated", Progressed(later, 30, t0 + 1h), t0 + 1h));
  auto finished = NewTask(owner_, t0);
  finished.due_at = due - days(1);
  Apply(TaskEvent("created", finished, t0));
  Apply(TaskEvent("completed", Completed(finished, t0 + 2h), t0 + 2h));
  auto undated = NewTask(owner_, t0);
  Apply(TaskEvent("created", undated, t0));

  // The same data, read at different instants.
  clock_.Set(due - 1h);
  EXPECT_EQ(Summary(owner_).aggregates.overdue, 0);  // the done one is never overdue
  clock_.Set(due);
  EXPECT_EQ(Summary(owner_).aggregates.overdue, 0);  // due now is not yet past due
  clock_.Set(due + 1ms);
  EXPECT_EQ(Summary(owner_).aggregates.overdue, 1);
  clock_.Set(due + days(3));
  EXPECT_EQ(Summary(owner_).aggregates.overdue, 2);

  // Completing the first takes it out.
  Apply(TaskEvent("completed", Completed(soon, due + days(3)), due + days(3)));
  EXPECT_EQ(Summary(owner_).aggregates.overdue, 1);
}

TEST_F(ReadModelTest, ExpiringWithin24hIsTheOpenTasksExpiringInTheNextDay) {
  Time expiry = At(kMarch / 12, 12h);
  Time t0 = At(kMarch / 10, 8h);
  auto expiring = NewTask(owner_, t0);
  expiring.expires_at = expiry;
  Apply(TaskEvent("created", expiring, t0));
  auto done = NewTask(owner_, t0);
  done.expires_at = expiry;
  Apply(TaskEvent("created", done, t0));
  Apply(TaskEvent("completed", Completed(done, t0 + 1h), t0 + 1h));
  auto far = NewTask(owner_, t0);
  far.expires_at = expiry + days(5);
  Apply(TaskEvent("created", far, t0));

  clock_.Set(expiry - 25h);
  EXPECT_EQ(Summary(owner_).aggregates.expiring_within_24h, 0);
  clock_.Set(expiry - 24h);
  EXPECT_EQ(Summary(owner_).aggregates.expiring_within_24h, 1);
  clock_.Set(expiry - 1ms);
  EXPECT_EQ(Summary(owner_).aggregates.expiring_within_24h, 1);
  // At its instant it is no longer "expiring", even before the expired event arrives.
  clock_.Set(expiry);
  EXPECT_EQ(Summary(owner_).aggregates.expiring_within_24h, 0);
  clock_.Set(expiry + days(5) - 2h);
  EXPECT_EQ(Summary(owner_).aggregates.expiring_within_24h, 1);
}

// Asia/Jakarta is UTC+7 all year: 2026-03-11T17:00Z is midnight of the 12th there.
TEST_F(ReadModelTest, CompletedTodayAndDailyBucketsFollowTheTimeZoneOfTheLatestUserEvent) {
  auto user = NewUser("UTC", At(kMarch / 1));
  owner_ = user.id;
  Apply(UserEvent("created", user, user.created_at));
  // 10th 10:00Z (Jakarta: 10th 17:00) created, 11th 16:00Z (Jakarta: 11th 23:00) completed.
  CreateAndComplete(owner_, At(kMarch / 10, 10h), At(kMarch / 11, 16h));
  // 11th 16:30Z (Jakarta: 11th 23:30) created, 11th 17:30Z (Jakarta: 12th 00:30) completed.
  CreateAndComplete(owner_, At(kMarch / 11, 16h + 30min), At(kMarch / 11, 17h + 30min));
  // 11th 17:10Z (Jakarta: 12th 00:10) created, still open.
  Apply(TaskEvent("created", NewTask(owner_, At(kMarch / 11, 17h + 10min)),
                  At(kMarch / 11, 17h + 10min)));
  clock_.Set(At(kMarch / 11, 20h));  // Jakarta: 12th 03:00

  EXPECT_EQ(TimeZone(owner_), "UTC");
  EXPECT_EQ(Summary(owner_).aggregates.completed_today, 2);
  EXPECT_EQ(Describe(Daily(owner_, 3)), "2026-03-09:0/0/0 2026-03-10:1/0/0 2026-03-11:2/2/0 ");

  auto moved = user;
  moved.timezone = "Asia/Jakarta";
  moved.version = 3;
  moved.updated_at = At(kMarch / 5);
  Apply(UserEvent("updated", moved, moved.updated_at));
  // An older profile arriving late does not move the person back.
  auto older = user;
  older.timezone = "America/New_York";
  older.version = 2;
  older.updated_at = At(kMarch / 4);
  Apply(UserEvent("updated", older, older.updated_at));

  EXPECT_EQ(TimeZone(owner_), "Asia/Jakarta");
  EXPECT_EQ(Summary(owner_).aggregates.completed_today, 1);
  EXPECT_EQ(Describe(Daily(owner_, 3)), "2026-03-10:1/0/0 2026-03-11:1/1/0 2026-03-12:1/1/0 ");
  auto month = Daily(owner_, 30);
  ASSERT_EQ(month.size(), 30u);
  EXPECT_EQ(domain::FormatDay(month.front().date), "2026-02-11");
  EXPECT_EQ(domain::FormatDay(month.back().date), "2026-03-12");
}

TEST_F(ReadModelTest, DailyBucketsCountDistinctTasksAndExpiries) {
  Time t0 = At(kMarch / 11, 8h);
  // Completed, reopened and completed again the same day: one completed task that day.
  auto t = NewTask(owner_, t0);
  Apply(TaskEvent("created", t, t0));
  auto done = Completed(t, t0 + 1h);
  Apply(TaskEvent("completed", done, t0 + 1h));
  auto reopened = Next(done, t0 + 2h);
  reopened.status = "todo";
  reopened.progress = 0;
  reopened.completed_at.reset();
  Apply(TaskEvent("reopened", reopened, t0 + 2h));
  Apply(TaskEvent("completed", Completed(reopened, t0 + 3h), t0 + 3h));
  auto lapsing = NewTask(owner_, t0 - days(1));
  lapsing.expires_at = t0;
  Apply(TaskEvent("created", lapsing, t0 - days(1)));
  auto expired = Next(lapsing, t0);
  expired.status = "expired";
  expired.expired_at = t0;
  Apply(TaskEvent("expired", expired, t0));

  EXPECT_EQ(Describe(Daily(owner_, 2)), "2026-03-10:1/0/0 2026-03-11:1/1/1 ");
}

// A task can get done without todo.task.completed (progress 100, the last checklist item):
// its completed_at counts all the same, once however many events repeat it.
TEST_F(ReadModelTest, CompletionByAnUpdateCountsOnceInDailyBucketsAndStreak) {
  Time t0 = At(kMarch / 11, 8h);
  auto t = NewTask(owner_, t0);
  Apply(TaskEvent("created", t, t0));
  auto done = Progressed(t, 100, t0 + 1h);
  done.status = "done";
  done.completed_at = t0 + 1h;
  Apply(TaskEvent("updated", done, t0 + 1h));
  auto renamed = Next(done, t0 + 2h);
  renamed.title = "renamed while done";
  Apply(TaskEvent("updated", renamed, t0 + 2h));
  CreateAndComplete(owner_, t0 - days(1), t0 - days(1) + 1h);

  auto summary = Summary(owner_);
  EXPECT_EQ(summary.aggregates.counts.done, 2);
  EXPECT_EQ(summary.aggregates.completed_today, 1);
  EXPECT_EQ(summary.streak_days, 2);
  EXPECT_EQ(Describe(Daily(owner_, 2)), "2026-03-10:1/1/0 2026-03-11:1/1/0 ");
}

// Without a completion today yet, the streak runs to yesterday; local dates decide.
TEST_F(ReadModelTest, StreakCountsConsecutiveLocalDaysWithACompletion) {
  auto user = NewUser("UTC", At(kMarch / 1));
  owner_ = user.id;
  Apply(UserEvent("created", user, user.created_at));
  Time created = At(kMarch / 1, 1h);
  CreateAndComplete(owner_, created, At(kMarch / 7, 5h));            // Jakarta 7th (a gap after)
  CreateAndComplete(owner_, created, At(kMarch / 9, 5h));            // Jakarta 9th 12:00
  CreateAndComplete(owner_, created, At(kMarch / 10, 16h + 30min));  // Jakarta 10th 23:30
  CreateAndComplete(owner_, created, At(kMarch / 10, 17h + 30min));  // Jakarta 11th 00:30
  clock_.Set(At(kMarch / 11, 20h));                                  // Jakarta 12th 03:00

  // In UTC: the 9th and 10th, and the 11th has none yet.
  EXPECT_EQ(Summary(owner_).streak_days, 2);

  auto moved = user;
  moved.timezone = "Asia/Jakarta";
  moved.version = 2;
  Apply(UserEvent("updated", moved, At(kMarch / 2)));
  EXPECT_EQ(Summary(owner_).streak_days, 3);  // 9th, 10th, 11th

  CreateAndComplete(owner_, created, At(kMarch / 11, 18h));  // Jakarta 12th 01:00
  EXPECT_EQ(Summary(owner_).streak_days, 4);
  // A whole day without one ends it.
  clock_.Set(At(kMarch / 13, 18h));  // Jakarta 14th 01:00
  EXPECT_EQ(Summary(owner_).streak_days, 0);
}

TEST_F(ReadModelTest, RedeliveredEventChangesNothing) {
  Time t0 = At(kMarch / 11, 8h);
  auto t = NewTask(owner_, t0);
  auto created = TaskEvent("created", t, t0);
  auto progressed = TaskEvent("updated", Progressed(t, 40, t0 + 1h), t0 + 1h);
  auto done = TaskEvent("completed", Completed(Progressed(t, 40, t0 + 1h), t0 + 2h), t0 + 2h);
  Apply(created, 1);
  Apply(progressed, 2);
  Apply(done, 3);
  auto summary = Describe(Summary(owner_));
  auto activity = Describe(Activity(owner_));
  auto daily = Describe(Daily(owner_, 7));

  // The same stream sequences again (a redelivery after a lost ack).
  Apply(progressed, 2);
  Apply(done, 3);
  Apply(created, 1);
  // The same events stored again under new sequences (a publish repeated after the duplicate
  // window): the event id is what makes them the same.
  Apply(done, 10);
  Apply(created, 11);

  EXPECT_EQ(Describe(Summary(owner_)), summary);
  EXPECT_EQ(Describe(Activity(owner_)), activity);
  EXPECT_EQ(Describe(Daily(owner_, 7)), daily);
  EXPECT_EQ(Count("it_count_late_seqs", "SELECT count(*) FROM activity WHERE seq >= 10"), 0);
}

TEST_F(ReadModelTest, OlderVersionAfterNewerChangesNoStateButIsOneActivityRow) {
  Time t0 = At(kMarch / 11, 8h);
  auto v1 = NewTask(owner_, t0, "first title");
  auto v2 = Progressed(v1, 50, t0 + 1h);
  v2.title = "second title";
  auto v3 = Completed(v2, t0 + 2h);
  v3.title = "third title";
  Apply(TaskEvent("created", v1, t0), 1);
  Apply(TaskEvent("completed", v3, t0 + 2h), 2);
  Apply(TaskEvent("updated", v2, t0 + 1h), 3);  // late

  auto summary = Summary(owner_);
  EXPECT_EQ(summary.aggregates.counts.done, 1);
  EXPECT_EQ(summary.aggregates.counts.Total(), 1);
  EXPECT_DOUBLE_EQ(summary.aggregates.average_progress, 100.0);
  EXPECT_EQ(Count("it_count_task_v3",
                  "SELECT count(*) FROM task_state WHERE id = $1 AND version = 3 "
                  "AND title = 'third title' AND status = 'done' AND progress = 100",
                  {v1.id}),
            1);

  auto activity = Activity(owner_);
  ASSERT_EQ(activity.size(), 3u);
  EXPECT_EQ(activity[0].seq, 3);
  EXPECT_EQ(activity[0].kind, domain::EventKind::kUpdated);
  EXPECT_EQ(activity[0].title, "second title");  // what that event said
  EXPECT_EQ(activity[1].kind, domain::EventKind::kCompleted);
  EXPECT_EQ(activity[2].kind, domain::EventKind::kCreated);
}

TEST_F(ReadModelTest, DeletedTaskIsNotResurrectedByALateOlderEvent) {
  Time t0 = At(kMarch / 11, 8h);
  auto t = NewTask(owner_, t0, "kept title");
  auto v2 = Progressed(t, 50, t0 + 1h);
  Apply(TaskEvent("created", t, t0));
  Apply(TaskDeleted(t, 3, t0 + 2h));
  Apply(TaskEvent("updated", v2, t0 + 1h));  // older than the deletion, arriving after it
  // A deletion that overtook the creation leaves a tombstone the creation cannot get past.
  auto overtaken = NewTask(owner_, t0, "never seen");
  Apply(TaskDeleted(overtaken, 2, t0 + 3h));
  Apply(TaskEvent("created", overtaken, t0));

  auto summary = Summary(owner_);
  EXPECT_EQ(summary.aggregates.counts.Total(), 0);
  EXPECT_DOUBLE_EQ(summary.aggregates.average_progress, 0.0);
  EXPECT_EQ(Count("it_count_tombstones",
                  "SELECT count(*) FROM task_state WHERE owner_id = $1 AND deleted", {owner_}),
            2);

  auto activity = Activity(owner_);
  ASSERT_EQ(activity.size(), 5u);
  // The deletion names the task by its last known title and carries no state.
  EXPECT_EQ(activity[3].kind, domain::EventKind::kDeleted);
  EXPECT_EQ(activity[3].title, "kept title");
  EXPECT_EQ(activity[3].task_json, "null");
}

TEST_F(ReadModelTest, DeletedUserIsForgottenAndLaterEventsAboutThemAreDropped) {
  auto user = NewUser("Asia/Jakarta", At(kMarch / 1));
  owner_ = user.id;
  Apply(UserEvent("created", user, user.created_at));
  Time t0 = At(kMarch / 10, 8h);
  auto open = NewTask(owner_, t0);
  Apply(TaskEvent("created", open, t0));
  auto done = CreateAndComplete(owner_, t0, t0 + 1h);
  std::string other = platform::NewUuidV7();
  CreateAndComplete(other, t0, t0 + 1h);
  ASSERT_EQ(Summary(owner_).aggregates.counts.Total(), 2);

  Apply(UserDeleted(owner_, 2, t0 + 2h));
  EXPECT_EQ(Rows("task_state", owner_), 0);
  EXPECT_EQ(Rows("activity", owner_), 0);
  EXPECT_EQ(Rows("person", owner_), 0);
  EXPECT_EQ(Rows("forgotten_person", owner_), 1);
  EXPECT_EQ(TimeZone(owner_), "UTC");
  EXPECT_EQ(Summary(owner_).aggregates.counts.Total(), 0);
  EXPECT_TRUE(Activity(owner_).empty());

  // What tasks publishes when it erases the person's tasks, and a straggler from before.
  Apply(TaskDeleted(open, 2, t0 + 3h));
  Apply(TaskDeleted(done, done.version + 1, t0 + 3h));
  Apply(TaskEvent("updated", Progressed(open, 10, t0 + 30min), t0 + 30min));
  Apply(TaskEvent("created", NewTask(owner_, t0 + 4h), t0 + 4h));
  // The deletion again (redelivered).
  Apply(UserDeleted(owner_, 2, t0 + 2h));
  // A profile change from before the deletion, arriving late.
  auto late = user;
  late.version = 1;
  late.timezone = "Europe/Berlin";
  Apply(UserEvent("updated", late, t0));

  EXPECT_EQ(Rows("task_state", owner_), 0);
  EXPECT_EQ(Rows("activity", owner_), 0);
  EXPECT_EQ(Rows("person", owner_), 0);
  EXPECT_EQ(Rows("forgotten_person", owner_), 1);
  EXPECT_EQ(TimeZone(owner_), "UTC");
  EXPECT_EQ(Summary(owner_).aggregates.counts.Total(), 0);
  // Nobody else's rows went with them.
  EXPECT_EQ(Summary(other).aggregates.counts.done, 1);
  EXPECT_EQ(Activity(other).size(), 2u);
}

TEST_F(ReadModelTest, ActivityFeedIsNewestFirstInPagesWithTheEventsState) {
  Time t0 = At(kMarch / 11, 8h);
  auto t = NewTask(owner_, t0, "Tadarus juz 5");
  std::vector<Event> events{TaskEvent("created", t, t0)};
  auto state = t;
  for (int progress : {25, 50, 75}) {
    state = Progressed(state, progress, t0 + std::chrono::minutes(progress));
    events.push_back(TaskEvent("updated", state, state.updated_at));
  }
  state = Completed(state, t0 + 2h);
  events.push_back(TaskEvent("completed", state, t0 + 2h));
  for (const auto& e : events) Apply(e);

  auto first = ActivityPage(owner_, std::nullopt, 2);
  ASSERT_EQ(first.items.size(), 2u);
  EXPECT_EQ(first.items[0].seq, 5);
  EXPECT_EQ(first.items[1].seq, 4);
  ASSERT_TRUE(first.next_before.has_value());
  EXPECT_EQ(*first.next_before, 4);
  auto second = ActivityPage(owner_, first.next_before, 2);
  ASSERT_EQ(second.items.size(), 2u);
  EXPECT_EQ(second.items[0].seq, 3);
  EXPECT_EQ(*second.next_before, 2);
  auto last = ActivityPage(owner_, second.next_before, 2);
  ASSERT_EQ(last.items.size(), 1u);
  EXPECT_FALSE(last.next_before.has_value());

  const auto& item = first.items[0];
  rapidjson::Document envelope;
  envelope.Parse(events.back().payload.c_str());
  EXPECT_EQ(item.event_id, envelope["id"].GetString());
  EXPECT_EQ(item.kind, domain::EventKind::kCompleted);
  EXPECT_EQ(item.task_id, t.id);
  EXPECT_EQ(item.title, "Tadarus juz 5");
  EXPECT_EQ(item.at, t0 + 2h);
  rapidjson::Document task;
  task.Parse(item.task_json.c_str());
  ASSERT_FALSE(task.HasParseError()) << item.task_json;
  EXPECT_STREQ(task["status"].GetString(), "done");
  EXPECT_EQ(task["progress"].GetInt(), 100);
  EXPECT_EQ(task["version"].GetInt(), 5);
}

TEST_F(ReadModelTest, EventsOfOtherTypesAreIgnoredAndMalformedOnesRefused) {
  Apply(Event{platform::NewUuidV7(), "todo.task.archived",
              R"({"specversion":"1.0","type":"todo.task.archived","entityversion":1,"data":{}})"});
  EXPECT_EQ(Count("it_count_all_activity", "SELECT count(*) FROM activity"), 0);

  auto missing_owner = TaskEvent("created", NewTask(owner_, At(kMarch / 11)), At(kMarch / 11));
  auto at = missing_owner.payload.find("\"owner_id\"");
  ASSERT_NE(at, std::string::npos);
  missing_owner.payload.replace(at, 10, "\"someone\"");
  auto refused = applier_.Apply(*conn_, missing_owner.payload, 1);
  EXPECT_FALSE(refused.has_value());
  auto not_json = applier_.Apply(*conn_, "{not json", 2);
  EXPECT_FALSE(not_json.has_value());
  EXPECT_EQ(Count("it_count_all_activity", "SELECT count(*) FROM activity"), 0);
  // Both refusals name what they are: malformed events, not database failures.
  ASSERT_FALSE(refused.has_value());
  EXPECT_TRUE(refused.error().IsMalformedEvent());
  EXPECT_TRUE(refused.error().Message().starts_with("malformed event: "))
      << refused.error().Message();
  ASSERT_FALSE(not_json.has_value());
  EXPECT_TRUE(not_json.error().IsMalformedEvent());
}

TEST_F(ReadModelTest, MalformedRowsAreANamedErrorNotAGuess) {
  // A column missing: the feed's reader names it.
  auto missing = conn_->Execute(pg::Query{"it_row_missing_column", "SELECT 1::bigint AS seq"});
  ASSERT_TRUE(missing.has_value()) << missing.error().message;
  auto items = infra::ReadActivityItems(*missing);
  ASSERT_FALSE(items.has_value());
  EXPECT_TRUE(items.error().IsMalformedRow());
  EXPECT_NE(items.error().message.find("event_id"), std::string::npos) << items.error().message;

  // NULL where a number must be.
  auto null = conn_->Execute(pg::Query{"it_row_null", "SELECT NULL::bigint AS latest_seq"});
  ASSERT_TRUE(null.has_value()) << null.error().message;
  auto latest = infra::ReadLatestSeq(null->At(0));
  ASSERT_FALSE(latest.has_value());
  EXPECT_TRUE(latest.error().IsMalformedRow());

  // Text that is not a number.
  auto text = conn_->Execute(pg::Query{
      "it_row_not_a_number",
      "SELECT 1 AS todo, 0 AS in_progress, 0 AS done, 0 AS expired, 'many' AS average_progress, "
      "0 AS overdue, 0 AS expiring_within_24h, 0 AS completed_today"});
  ASSERT_TRUE(text.has_value()) << text.error().message;
  auto aggregates = infra::ReadAggregates(text->At(0));
  ASSERT_FALSE(aggregates.has_value());
  EXPECT_TRUE(aggregates.error().IsMalformedRow());
  EXPECT_NE(aggregates.error().message.find("average_progress"), std::string::npos);
}

}  // namespace
}  // namespace progress::itest
