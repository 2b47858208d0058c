// The task quota (TODO_QUOTA_TASKS) against the local PostgreSQL: creates beyond it are a
// conflict naming the quota, a refused create in a group fails alone, and every way a task
// goes (delete, erasure of a deleted user, expiry with on_expire "delete") frees its place.

#include <boost/asio/detached.hpp>

#include "infra/pg/pg_task_repository.hpp"
#include "infra/pg/queries.hpp"
#include "platform/pg/pool.hpp"
#include "tasks_test_env.hpp"

namespace tasks::itest {
namespace {

using domain::Task;

constexpr std::int64_t kQuota = 3;

class TaskQuotaTest : public TasksDbTest {
 protected:
  void SetUp() override {
    TasksDbTest::SetUp();
    if (HasFatalFailure()) return;
    pool_ = std::make_unique<pg::Pool>(Conninfo(), 4);
    repo_ = std::make_unique<infra::PgTaskRepository>(*pool_, pg::CommitGroupOptions{}, kQuota);
    owner_ = platform::NewUuidV7();
  }
  void TearDown() override {
    repo_.reset();
    pool_.reset();
    TasksDbTest::TearDown();
  }
  platform::Result<void> Create(const std::string& owner, const std::string& title = "t") {
    return RunSync(repo_->Insert(MakeTask(owner, title), "req"));
  }
  std::int64_t Counted(const std::string& owner) {
    return Count("SELECT COALESCE((SELECT tasks FROM task_counts WHERE owner_id = $1), 0)",
                 {owner});
  }
  std::int64_t Stored(const std::string& owner) {
    return Count("SELECT count(*) FROM tasks WHERE owner_id = $1", {owner});
  }

  std::unique_ptr<pg::Pool> pool_;
  std::unique_ptr<infra::PgTaskRepository> repo_;
  std::string owner_;
};

TEST_F(TaskQuotaTest, CreateBeyondTheQuotaIsAConflictNamingItAndStoresNothing) {
  for (int i = 0; i < kQuota; ++i) ASSERT_TRUE(Create(owner_).has_value()) << i;
  auto refused = Create(owner_, "one too many");
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().kind, platform::ErrorKind::kConflict);
  EXPECT_EQ(platform::HttpStatus(refused.error().kind), 409);
  EXPECT_NE(refused.error().detail.find("task quota of 3 reached"), std::string::npos)
      << refused.error().detail;
  EXPECT_EQ(Stored(owner_), kQuota);
  EXPECT_EQ(Counted(owner_), kQuota);
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE payload::jsonb->'data'->>'title' = "
                  "'one too many'"),
            0);
  EXPECT_TRUE(Create(platform::NewUuidV7()).has_value());  // another user is not affected
}

boost::asio::awaitable<void> CreateCounting(infra::PgTaskRepository* repo, Task task, int* ok,
                                            int* conflicts, std::vector<std::string>* other) {
  auto stored = co_await repo->Insert(task, "req");
  if (stored) {
    ++*ok;
  } else if (stored.error().kind == platform::ErrorKind::kConflict) {
    ++*conflicts;
  } else {
    other->push_back(stored.error().detail);
  }
}

// Creates submitted together are committed in groups: the ones beyond the quota fail alone and
// the rest of their group (another user's creates too) commits.
TEST_F(TaskQuotaTest, ConcurrentCreatesStopExactlyAtTheQuotaAndOthersInTheGroupCommit) {
  std::string other_owner = platform::NewUuidV7();
  int mine_ok = 0, mine_refused = 0, theirs_ok = 0, theirs_refused = 0;
  std::vector<std::string> errors;
  {
    boost::asio::io_context io;
    for (int i = 0; i < 20; ++i) {
      boost::asio::co_spawn(
          io, CreateCounting(repo_.get(), MakeTask(owner_), &mine_ok, &mine_refused, &errors),
          boost::asio::detached);
      if (i < 2) {
        boost::asio::co_spawn(io,
                              CreateCounting(repo_.get(), MakeTask(other_owner), &theirs_ok,
                                             &theirs_refused, &errors),
                              boost::asio::detached);
      }
    }
    io.run();
  }
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(mine_ok, kQuota);
  EXPECT_EQ(mine_refused, 20 - kQuota);
  EXPECT_EQ(theirs_ok, 2);
  EXPECT_EQ(theirs_refused, 0);
  EXPECT_EQ(Stored(owner_), kQuota);
  EXPECT_EQ(Counted(owner_), kQuota);
  EXPECT_EQ(Counted(other_owner), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM outbox"), kQuota + 2);
}

TEST_F(TaskQuotaTest, DeletingATaskFreesItsPlace) {
  std::vector<Task> tasks;
  for (int i = 0; i < kQuota; ++i) {
    tasks.push_back(MakeTask(owner_));
    ASSERT_TRUE(RunSync(repo_->Insert(tasks.back(), "req")).has_value());
  }
  ASSERT_FALSE(Create(owner_).has_value());
  auto deleted = RunSync(repo_->Delete(owner_, tasks[0].id, std::nullopt, "req"));
  ASSERT_TRUE(deleted && *deleted);
  EXPECT_EQ(Counted(owner_), kQuota - 1);
  EXPECT_TRUE(Create(owner_).has_value());
  EXPECT_EQ(Counted(owner_), kQuota);
}

TEST_F(TaskQuotaTest, ErasureOfADeletedUsersTasksResetsTheCount) {
  for (int i = 0; i < kQuota; ++i) ASSERT_TRUE(Create(owner_).has_value());
  auto conn = Open();
  ASSERT_TRUE(conn);
  auto erased = conn->Execute(infra::queries::kEraseUserTasks, {owner_});
  ASSERT_TRUE(erased.has_value()) << erased.error().message;
  EXPECT_EQ(Stored(owner_), 0);
  EXPECT_EQ(Counted(owner_), 0);
}

TEST_F(TaskQuotaTest, ExpiryThatDeletesFreesThePlace) {
  Task doomed = MakeTask(owner_, "expires and goes");
  doomed.expires_at = Now() - std::chrono::seconds(5);
  doomed.on_expire = domain::OnExpire::kDelete;
  ASSERT_TRUE(RunSync(repo_->Insert(doomed, "req")).has_value());
  Task kept = MakeTask(owner_, "expires and stays");
  kept.expires_at = Now() - std::chrono::seconds(5);
  ASSERT_TRUE(RunSync(repo_->Insert(kept, "req")).has_value());
  ASSERT_EQ(Counted(owner_), 2);
  auto conn = Open();
  ASSERT_TRUE(conn);
  auto expired = conn->Execute(infra::queries::kExpireDue, {"1000", std::nullopt});
  ASSERT_TRUE(expired.has_value()) << expired.error().message;
  EXPECT_EQ(expired->Size(), 2);
  EXPECT_EQ(Stored(owner_), 1);
  EXPECT_EQ(Counted(owner_), 1);
}

// A keyed create refused for the quota leaves its key free: a retry under it, once there is
// room, creates the task (it must not be answered with a "first response" for a task that was
// never made), and a retry of a keyed create that did commit still gets its first answer.
TEST_F(TaskQuotaTest, KeyedCreateOverTheQuotaGivesItsKeyBack) {
  app::IdempotencyKey first{"quota-key-1", "hash-1"};
  Task keyed = MakeTask(owner_, "keyed");
  auto made = RunSync(repo_->InsertOnce(keyed, "req", first));
  ASSERT_TRUE(made.has_value());
  EXPECT_FALSE(made->has_value());  // inserted, not a replay
  for (int i = 1; i < kQuota; ++i) ASSERT_TRUE(Create(owner_).has_value()) << i;
  app::IdempotencyKey second{"quota-key-2", "hash-2"};
  auto refused = RunSync(repo_->InsertOnce(MakeTask(owner_, "over"), "req", second));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().kind, platform::ErrorKind::kConflict);
  EXPECT_EQ(Count("SELECT count(*) FROM idempotency_keys WHERE owner_id = $1 AND idem_key = $2",
                  {owner_, second.key}),
            0);
  auto replay = RunSync(repo_->InsertOnce(MakeTask(owner_, "keyed"), "req", first));
  ASSERT_TRUE(replay.has_value());
  EXPECT_TRUE(replay->has_value());  // the first answer, not a quota conflict
  auto deleted = RunSync(repo_->Delete(owner_, keyed.id, std::nullopt, "req"));
  ASSERT_TRUE(deleted && *deleted);
  auto retried = RunSync(repo_->InsertOnce(MakeTask(owner_, "over"), "req", second));
  ASSERT_TRUE(retried.has_value()) << retried.error().detail;
  EXPECT_FALSE(retried->has_value());  // created now
  EXPECT_EQ(Stored(owner_), kQuota);
}

}  // namespace
}  // namespace tasks::itest
