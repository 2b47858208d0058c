// ModifyTask with the real PgTaskRepository: two writers that read the same version race, and
// with If-Match exactly one wins (the other gets 412); without it the loser retries.

#include <boost/asio/detached.hpp>

#include <condition_variable>

#include "app/use_cases.hpp"
#include "infra/pg/pg_task_repository.hpp"
#include "platform/pg/pool.hpp"
#include "tasks_test_env.hpp"

namespace tasks::itest {
namespace {

// Rendezvous: the first `parties` callers wait (up to 5 s) until all of them have arrived, so
// both writers hold the same version before either writes.
class Rendezvous {
 public:
  explicit Rendezvous(int parties) : parties_(parties) {}
  void Arrive() {
    std::unique_lock lock(mutex_);
    int me = ++arrived_;
    if (me > parties_) return;  // a retry: no waiting
    cv_.notify_all();
    cv_.wait_for(lock, 5s, [&] { return arrived_ >= parties_; });
  }
  int Arrived() {
    std::lock_guard lock(mutex_);
    return arrived_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  int parties_;
  int arrived_ = 0;
};

struct Outcome {
  std::optional<platform::Result<domain::Task>> result;
};

boost::asio::awaitable<void> Modify(app::TaskDeps& deps, const app::Actor& actor,
                                    const std::string& id, std::optional<std::int64_t> if_match,
                                    const app::Mutation& mutation, Outcome& out) {
  const std::optional<std::int64_t> local_if_match = if_match;
  auto result = co_await app::ModifyTask(deps, actor, id, local_if_match, mutation,
                                         domain::TaskChange::kUpdated);
  out.result.emplace(std::move(result));
}

class ConcurrencyTest : public TasksDbTest {
 protected:
  void SetUp() override {
    TasksDbTest::SetUp();
    if (HasFatalFailure()) return;
    pool_ = std::make_unique<pg::Pool>(Conninfo(), 4);
    repo_ = std::make_unique<infra::PgTaskRepository>(*pool_);
    deps_ = std::make_unique<app::TaskDeps>(app::TaskDeps{*repo_, cache_, env_});
    task_ = MakeTask(platform::NewUuidV7(), "contended");
    ASSERT_TRUE(RunSync(repo_->Insert(task_, "req")).has_value());
  }
  void TearDown() override {
    deps_.reset();
    repo_.reset();
    pool_.reset();
    TasksDbTest::TearDown();
  }

  // Runs two ModifyTask calls concurrently on a two-thread io_context.
  void RunTwo(std::optional<std::int64_t> if_match, const app::Mutation& mutation, Outcome& a,
              Outcome& b) {
    app::Actor actor{task_.owner_id, "req-concurrent"};
    boost::asio::io_context io(2);
    boost::asio::co_spawn(io, Modify(*deps_, actor, task_.id, if_match, mutation, a),
                          boost::asio::detached);
    boost::asio::co_spawn(io, Modify(*deps_, actor, task_.id, if_match, mutation, b),
                          boost::asio::detached);
    std::thread second([&io] { io.run(); });
    io.run();
    second.join();
  }

  MemoryCache cache_;
  SystemEnvironment env_;
  std::unique_ptr<pg::Pool> pool_;
  std::unique_ptr<infra::PgTaskRepository> repo_;
  std::unique_ptr<app::TaskDeps> deps_;
  domain::Task task_;
};

TEST_F(ConcurrencyTest, WithIfMatchExactlyOneOfTwoRacingWritersWins) {
  Rendezvous both(2);
  app::Mutation mutation = [&both](domain::Task task, domain::Time now) {
    both.Arrive();
    domain::TaskPatch patch;
    patch.progress = {true, 40};
    return domain::ApplyPatch(std::move(task), patch, now);
  };
  Outcome a, b;
  RunTwo(1, mutation, a, b);
  ASSERT_TRUE(a.result && b.result);
  EXPECT_EQ(both.Arrived(), 2);  // both read version 1 before either wrote
  int wins = (*a.result ? 1 : 0) + (*b.result ? 1 : 0);
  EXPECT_EQ(wins, 1);
  const auto& loser = *a.result ? *b.result : *a.result;
  ASSERT_FALSE(loser.has_value());
  EXPECT_EQ(loser.error().kind, platform::ErrorKind::kPreconditionFailed);
  const auto& winner = *a.result ? *a.result : *b.result;
  ASSERT_TRUE(winner.has_value());
  EXPECT_EQ(winner->version, 2);
  EXPECT_EQ(Count("SELECT version FROM tasks WHERE id = $1", {task_.id}), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE subject = 'todo.task.updated'"), 1);
}

TEST_F(ConcurrencyTest, WithoutIfMatchTheLoserRetriesOnTheFreshState) {
  Rendezvous both(2);
  app::Mutation mutation = [&both](domain::Task task, domain::Time now) {
    both.Arrive();
    domain::TaskPatch patch;
    patch.progress = {true, task.progress + 10};
    return domain::ApplyPatch(std::move(task), patch, now);
  };
  Outcome a, b;
  RunTwo(std::nullopt, mutation, a, b);
  ASSERT_TRUE(a.result && b.result);
  ASSERT_TRUE(*a.result) << a.result->error().detail;
  ASSERT_TRUE(*b.result) << b.result->error().detail;
  EXPECT_EQ(both.Arrived(), 3);  // two racing reads, then one retry
  auto rows = Sql("SELECT version, progress FROM tasks WHERE id = $1", {task_.id});
  EXPECT_EQ(rows.Int(0, 0), 3);
  EXPECT_EQ(rows.Int(0, 1), 20);  // neither increment was lost
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE subject = 'todo.task.updated'"), 2);
}

}  // namespace
}  // namespace tasks::itest
