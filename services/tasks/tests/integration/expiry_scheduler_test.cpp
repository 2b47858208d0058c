// ExpiryScheduler against the local PostgreSQL: on-time expiry, NOTIFY wake-ups, catch-up
// after downtime, two replicas sharing the work, on_expire delete, and done tasks.

#include "infra/scheduler/expiry_scheduler.hpp"
#include "infra/pg/pg_task_repository.hpp"
#include "platform/pg/pool.hpp"
#include "tasks_test_env.hpp"

namespace tasks::itest {
namespace {

using domain::Status;
using domain::Task;

class ExpirySchedulerTest : public TasksDbTest {
 protected:
  void SetUp() override {
    TasksDbTest::SetUp();
    if (HasFatalFailure()) return;
    pool_ = std::make_unique<pg::Pool>(Conninfo(), 2);
    repo_ = std::make_unique<infra::PgTaskRepository>(*pool_);
    owner_ = platform::NewUuidV7();
    app_name_ = "expiry_" + UniqueSuffix();
    options_.max_sleep = 30s;  // only NOTIFY (or the earliest expiry) may wake it early
  }
  void TearDown() override {
    repo_.reset();
    pool_.reset();
    TasksDbTest::TearDown();
  }

  std::unique_ptr<infra::ExpiryScheduler> Scheduler(infra::ExpiryOptions options) {
    return std::make_unique<infra::ExpiryScheduler>(Conninfo() + " application_name=" + app_name_,
                                                    options);
  }

  Task Insert(std::optional<domain::Time> expires_at, std::string title = "expiring") {
    Task t = MakeTask(owner_, std::move(title));
    t.expires_at = expires_at;
    auto inserted = RunSync(repo_->Insert(t, "req"));
    EXPECT_TRUE(inserted.has_value()) << inserted.error().detail;
    return t;
  }

  // The task's status, expired_at and expires_at in ms, and version; nullopt when gone.
  struct Row {
    std::string status;
    std::optional<std::int64_t> expired_at, expires_at;
    std::int64_t version;
  };
  std::optional<Row> Load(const std::string& id) {
    auto rows = Sql(
        "SELECT status, floor(extract(epoch FROM expired_at) * 1000)::bigint, "
        "floor(extract(epoch FROM expires_at) * 1000)::bigint, version FROM tasks WHERE id = $1",
        {id});
    if (rows.Empty()) return std::nullopt;
    return Row{rows.Text(0, 0), rows.OptionalInt(0, 1), rows.OptionalInt(0, 2), rows.Int(0, 3)};
  }

  // Waits (polling, with a deadline) until the scheduler's connection sleeps after computing
  // its next wake-up: its last statement was the next-expiry query and it is idle.
  bool SchedulerSleeping() {
    return Eventually(
        [&] {
          return Count(
                     "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND "
                     "state = 'idle' AND query LIKE '%min(expires_at)%'",
                     {app_name_}) == 1;
        },
        5s);
  }

  std::unique_ptr<pg::Pool> pool_;
  std::unique_ptr<infra::PgTaskRepository> repo_;
  std::string owner_;
  std::string app_name_;
  infra::ExpiryOptions options_;
};

TEST_F(ExpirySchedulerTest, TaskDueInThreeHundredMillisecondsExpiresOnTime) {
  auto scheduler = Scheduler(options_);
  scheduler->Start();
  Task t = Insert(Now() + 300ms);
  std::optional<Row> row;
  ASSERT_TRUE(Eventually(
      [&] {
        row = Load(t.id);
        return row && row->status == "expired";
      },
      5s));
  ASSERT_TRUE(row->expired_at.has_value());
  std::int64_t lag = *row->expired_at - *row->expires_at;
  std::cout << "expiry lag: " << lag << " ms\n";
  EXPECT_GE(lag, 0);
  EXPECT_LT(lag, 300);
  EXPECT_EQ(row->version, 2);
  auto event = Sql("SELECT payload FROM outbox WHERE subject = 'todo.task.expired'");
  ASSERT_EQ(event.Size(), 1);
  auto doc = ParseJson(event.Text(0, 0));
  EXPECT_EQ(doc["subject"].GetString(), t.id);
  EXPECT_EQ(doc["entityversion"].GetInt64(), 2);
  EXPECT_STREQ(doc["data"]["status"].GetString(), "expired");
  EXPECT_EQ(doc["data"]["owner_id"].GetString(), owner_);
  EXPECT_EQ(doc["data"]["version"].GetInt64(), 2);
  EXPECT_TRUE(doc["data"]["expired_at"].IsString());
  EXPECT_EQ(scheduler->ExpiredTotal(), 1);
}

TEST_F(ExpirySchedulerTest, AnEarlierExpiryWakesTheSleepingScheduler) {
  Task later = Insert(Now() + 60s, "later");
  auto scheduler = Scheduler(options_);
  scheduler->Start();
  ASSERT_TRUE(SchedulerSleeping());  // it sleeps towards the 60 s task (or max_sleep 30 s)
  Task soon = Insert(Now() + 200ms, "soon");
  std::optional<Row> row;
  ASSERT_TRUE(Eventually(
      [&] {
        row = Load(soon.id);
        return row && row->status == "expired";
      },
      5s));
  std::int64_t lag = *row->expired_at - *row->expires_at;
  std::cout << "expiry lag after NOTIFY wake-up: " << lag << " ms\n";
  EXPECT_GE(lag, 0);
  EXPECT_LT(lag, 300);
  EXPECT_EQ(Load(later.id)->status, "todo");
}

TEST_F(ExpirySchedulerTest, CatchesUpAtOnceAfterDowntime) {
  std::vector<Task> overdue;
  overdue.reserve(50);
  for (int i = 0; i < 50; ++i) overdue.push_back(Insert(Now() - std::chrono::seconds(1 + i)));
  Task future = Insert(Now() + 1h, "future");
  auto start = SteadyClock::now();
  auto scheduler = Scheduler(options_);
  scheduler->Start();
  EXPECT_TRUE(Eventually(
      [&] { return Count("SELECT count(*) FROM tasks WHERE status = 'expired'") == 50; }, 5s));
  auto took = SteadyClock::now() - start;
  EXPECT_LT(took, 1s);
  EXPECT_EQ(Load(future.id)->status, "todo");
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE subject = 'todo.task.expired'"), 50);
}

TEST_F(ExpirySchedulerTest, TwoReplicasExpireEachTaskExactlyOnce) {
  constexpr int kTasks = 2000;
  infra::ExpiryOptions options = options_;
  options.batch = 100;  // many batches, so both replicas get work
  auto first = Scheduler(options);
  auto second = Scheduler(options);
  first->Start();
  second->Start();
  auto due = Ms(Now() + 1500ms);
  Sql("INSERT INTO tasks (id, owner_id, title, status, progress, priority, priority_rank, "
      "expires_at, created_at, updated_at, version) SELECT gen_random_uuid(), $1::uuid, "
      "'t' || i, 'todo', 0, 'none', 0, 'epoch'::timestamptz + $2::bigint * interval '1 ms', "
      "now(), now(), 1 FROM generate_series(1, " +
          std::to_string(kTasks) + ") i",
      {owner_, std::to_string(due)});
  ASSERT_TRUE(Eventually(
      [&] { return Count("SELECT count(*) FROM tasks WHERE status = 'expired'") == kTasks; }, 15s));
  first->Stop();
  second->Stop();
  EXPECT_EQ(Count("SELECT count(*) FROM tasks WHERE version <> 2 OR status <> 'expired'"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE subject = 'todo.task.expired'"), kTasks);
  EXPECT_EQ(Count("SELECT count(DISTINCT payload::jsonb->>'subject') FROM outbox "
                  "WHERE subject = 'todo.task.expired'"),
            kTasks);
  EXPECT_EQ(Count("SELECT count(*) FROM outbox o WHERE subject = 'todo.task.expired' AND NOT "
                  "EXISTS (SELECT 1 FROM tasks t WHERE t.id::text = o.payload::jsonb->>'subject' "
                  "AND (o.payload::jsonb->>'entityversion')::bigint = t.version)"),
            0);
  EXPECT_EQ(first->ExpiredTotal() + second->ExpiredTotal(), kTasks);
  std::cout << "replica shares: " << first->ExpiredTotal() << " + " << second->ExpiredTotal()
            << "; lag max "
            << Count(
                   "SELECT max(floor(extract(epoch FROM expired_at - expires_at) * 1000))::bigint "
                   "FROM tasks")
            << " ms\n";
}

TEST_F(ExpirySchedulerTest, OnExpireDeleteRemovesTheTaskWithADeletedEvent) {
  auto scheduler = Scheduler(options_);
  scheduler->Start();
  Task t = MakeTask(owner_, "self-destructing");
  t.expires_at = Now() + 200ms;
  t.on_expire = domain::OnExpire::kDelete;
  ASSERT_TRUE(RunSync(repo_->Insert(t, "req")).has_value());
  ASSERT_TRUE(Eventually([&] { return !Load(t.id).has_value(); }, 5s));
  auto rows = Sql("SELECT subject, payload FROM outbox ORDER BY id");
  ASSERT_EQ(rows.Size(), 2);
  EXPECT_EQ(rows.Text(0, 0), "todo.task.created");
  EXPECT_EQ(rows.Text(1, 0), "todo.task.deleted");
  auto doc = ParseJson(rows.Text(1, 1));
  EXPECT_STREQ(doc["type"].GetString(), "todo.task.deleted");
  EXPECT_EQ(doc["subject"].GetString(), t.id);
  EXPECT_EQ(doc["entityversion"].GetInt64(), 2);
  EXPECT_EQ(doc["data"]["id"].GetString(), t.id);
  EXPECT_EQ(doc["data"]["owner_id"].GetString(), owner_);
  EXPECT_EQ(doc["data"]["version"].GetInt64(), 2);
  EXPECT_STREQ(doc["data"]["reason"].GetString(), "expired");
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE subject = 'todo.task.expired'"), 0);
}

TEST_F(ExpirySchedulerTest, DoneAndAlreadyExpiredTasksNeverExpire) {
  Task done = MakeTask(owner_, "done");
  done.status = Status::kDone;
  done.progress = 100;
  done.completed_at = Now() - 2s;
  done.expires_at = Now() - 1s;
  ASSERT_TRUE(RunSync(repo_->Insert(done, "req")).has_value());
  Task expired = MakeTask(owner_, "expired");
  expired.status = Status::kExpired;
  expired.expires_at = Now() - 2s;
  expired.expired_at = Now() - 1s;
  ASSERT_TRUE(RunSync(repo_->Insert(expired, "req")).has_value());
  Task marker = Insert(Now() - 1s, "marker");

  infra::ExpiryScheduler scheduler(Conninfo(), options_);
  auto first = scheduler.RunOnce(*conn_);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_EQ(*first, 1);  // the marker only
  auto second = scheduler.RunOnce(*conn_);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(*second, 0);
  EXPECT_EQ(Load(marker.id)->status, "expired");
  auto done_row = Load(done.id);
  EXPECT_EQ(done_row->status, "done");
  EXPECT_EQ(done_row->version, 1);
  EXPECT_EQ(Load(expired.id)->version, 1);
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE subject = 'todo.task.expired'"), 1);
}

}  // namespace
}  // namespace tasks::itest

namespace tasks::itest {
namespace {

class ExpiryInstantTest : public ExpirySchedulerTest {
 protected:
  // `count` tasks of the fixture's owner due together at `instant` (Unix ms).
  void InsertBurst(int count, std::int64_t instant) {
    Sql("INSERT INTO tasks (id, owner_id, title, description, status, progress, priority, "
        "priority_rank, labels, checklist, expires_at, on_expire, created_at, updated_at, "
        "version) SELECT gen_random_uuid(), $1, 'burst ' || g, '', 'todo', 0, 'none', 0, '{}', "
        "'[]', 'epoch'::timestamptz + $2::bigint * interval '1 millisecond', 'keep', now(), "
        "now(), 1 FROM generate_series(1, $3::int) g",
        {owner_, std::to_string(instant), std::to_string(count)});
  }
  std::int64_t ExpiredNow() {
    return Count("SELECT count(*) FROM tasks WHERE owner_id = $1 AND status = 'expired'", {owner_});
  }
};

// The work for an instant is done ahead in a transaction that commits once the clock has reached
// it: no reader sees the tasks expired before their expires_at, each is stamped with exactly that
// instant, and the commit comes after it.
TEST_F(ExpiryInstantTest, ABurstTurnsExpiredAtItsInstantAndNeverBefore) {
  ASSERT_EQ(Sql("SHOW track_commit_timestamp").Text(0, 0), "on")
      << "the stack's PostgreSQL runs with track_commit_timestamp (scripts/lib/stack.sh)";
  constexpr int kTasks = 1200;
  options_.batch = 500;
  auto scheduler = Scheduler(options_);
  auto conn = Open();
  ASSERT_TRUE(conn);
  std::int64_t instant = Ms(Now() + 1500ms);
  InsertBurst(kTasks, instant);

  pg::DbResult<std::int64_t> done = 0;
  std::thread expiring([&] { done = scheduler->ExpireAt(*conn, instant); });
  // Every read that starts before the instant sees none of them expired, however far the
  // scheduler's transaction has got.
  int reads_before = 0;
  std::int64_t seen_early = 0;
  while (Ms(Now()) < instant - 20) {
    seen_early = std::max(seen_early, ExpiredNow());
    ++reads_before;
  }
  expiring.join();
  ASSERT_TRUE(done.has_value()) << done.error().message;
  EXPECT_GT(reads_before, 0);
  EXPECT_EQ(seen_early, 0) << "tasks were visible as expired before their expires_at";
  EXPECT_GE(Ms(Now()), instant);
  EXPECT_GE(*done, options_.batch);  // at least the first batch went into the early transaction
  auto rest = scheduler->RunOnce(*conn);
  ASSERT_TRUE(rest.has_value()) << rest.error().message;
  EXPECT_EQ(*done + *rest, kTasks);
  EXPECT_EQ(ExpiredNow(), kTasks);

  // Stamped with the instant when done ahead, never later than the commit that showed them,
  // and never committed before their expiry.
  EXPECT_EQ(
      Count("SELECT count(*) FROM tasks WHERE owner_id = $1 AND expired_at = expires_at", {owner_}),
      *done);
  EXPECT_EQ(Count("SELECT count(*) FROM tasks WHERE owner_id = $1 AND "
                  "(pg_xact_commit_timestamp(xmin) < expires_at OR "
                  "pg_xact_commit_timestamp(xmin) < expired_at)",
                  {owner_}),
            0);
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE subject = 'todo.task.expired'"), kTasks);
  EXPECT_EQ(scheduler->ExpiredTotal(), kTasks);
}

// The head start grows with the tasks due at the instant and stays within its bounds.
TEST_F(ExpiryInstantTest, TheHeadStartGrowsWithTheTasksDueAndIsBounded) {
  options_.max_lead = 250ms;
  auto scheduler = Scheduler(options_);
  auto conn = Open();
  ASSERT_TRUE(conn);
  std::int64_t instant = Ms(Now() + 1h);
  auto nothing = scheduler->LeadFor(*conn, instant);
  InsertBurst(100, instant);
  auto some = scheduler->LeadFor(*conn, instant);
  InsertBurst(5000, instant);
  auto many = scheduler->LeadFor(*conn, instant);
  EXPECT_EQ(nothing, 10ms);
  EXPECT_GT(some, nothing);
  EXPECT_LE(some, options_.max_lead);
  EXPECT_EQ(many, options_.max_lead);
}

}  // namespace
}  // namespace tasks::itest
