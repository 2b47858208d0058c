// PostgreSQL pool and migrations against the real server that scripts/test starts.

#include <utility>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <thread>

#include "platform/pg/migrations.hpp"
#include "platform/pg/pool.hpp"
#include "platform/testing/test_env.hpp"

namespace {

using platform::pg::Connection;
using platform::pg::Migration;
using platform::pg::Query;

// Each test works in its own schema (search_path in the conninfo), dropped at the end.
class PgTest : public ::testing::Test {
 protected:
  void SetUp() override {
    schema_ = "pgtest_" + platform::testenv::UniqueSuffix();
    auto admin = Connection::Open(platform::testenv::TestPgConninfo());
    ASSERT_TRUE(admin.has_value()) << admin.error().message;
    ASSERT_TRUE((*admin)->ExecuteScript("CREATE SCHEMA " + schema_).has_value());
    admin_ = std::move(*admin);
  }
  void TearDown() override {
    if (admin_) (void)admin_->ExecuteScript("DROP SCHEMA " + schema_ + " CASCADE");
  }
  std::string Conninfo() const {
    return platform::testenv::TestPgConninfo() + " options=-csearch_path=" + schema_;
  }
  // The server process behind the connection `pool` hands out next.
  static platform::pg::DbResult<std::int64_t> BackendPid(platform::pg::Pool& pool) {
    static constexpr Query kPid{"pool_pid", "SELECT pg_backend_pid()"};
    auto work = [](Connection& c) -> platform::pg::DbResult<std::int64_t> {
      auto rows = c.Execute(kPid);
      if (!rows) return std::unexpected(rows.error());
      return rows->Int(0, 0);
    };
    return pool.RunBlocking(work);
  }
  std::unique_ptr<Connection> Open() {
    auto conn = Connection::Open(Conninfo());
    EXPECT_TRUE(conn.has_value());
    return std::move(*conn);
  }
  std::int64_t Count(Connection& conn, const std::string& sql) {
    names_.push_back("count_" + std::to_string(++queries_));
    auto rows = conn.Execute(Query{names_.back(), sql});
    EXPECT_TRUE(rows.has_value()) << (rows ? "" : rows.error().message);
    return rows ? rows->Int(0, 0) : -1;
  }

  std::string schema_;
  std::unique_ptr<Connection> admin_;
  int queries_ = 0;
  std::vector<std::string> names_;
};

std::vector<Migration> ThreeMigrations() {
  return {{"001_a.sql", "CREATE TABLE a (id int PRIMARY KEY);"},
          {"002_b.sql", "CREATE TABLE b (id int PRIMARY KEY); INSERT INTO b VALUES (1);"},
          {"003_c.sql", "ALTER TABLE a ADD COLUMN name text;"}};
}

TEST_F(PgTest, MigrationsTwiceInARowApplyOnce) {
  auto conn = Open();
  auto first = platform::pg::Migrate(*conn, "svc", ThreeMigrations());
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_EQ(*first, 3);
  auto second = platform::pg::Migrate(*conn, "svc", ThreeMigrations());
  ASSERT_TRUE(second.has_value()) << second.error().message;
  EXPECT_EQ(*second, 0);
  EXPECT_EQ(Count(*conn, "SELECT count(*) FROM schema_migrations WHERE scope = 'svc'"), 3);
  EXPECT_EQ(Count(*conn, "SELECT count(*) FROM b"), 1);
}

TEST_F(PgTest, ConcurrentReplicasApplyEachMigrationExactlyOnce) {
  constexpr int kReplicas = 6;
  std::atomic<int> applied{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> replicas;
  replicas.reserve(kReplicas);
  for (int i = 0; i < kReplicas; ++i) {
    replicas.emplace_back([&] {
      auto conn = Connection::Open(Conninfo());
      if (!conn) {
        ++failures;
        return;
      }
      auto result = platform::pg::Migrate(**conn, "svc", ThreeMigrations());
      if (result)
        applied += *result;
      else
        ++failures;
    });
  }
  for (auto& t : replicas) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(applied.load(), 3);
  auto conn = Open();
  EXPECT_EQ(Count(*conn, "SELECT count(*) FROM schema_migrations WHERE scope = 'svc'"), 3);
  EXPECT_EQ(Count(*conn, "SELECT count(*) FROM b"), 1);  // 002 ran once: its INSERT did not repeat
}

TEST_F(PgTest, FailingMigrationLeavesNothingHalfDone) {
  auto conn = Open();
  std::vector<Migration> migrations = {
      {"001_ok.sql", "CREATE TABLE ok (id int);"},
      {"002_bad.sql", "CREATE TABLE half (id int); SELECT no_such_function();"}};
  auto result = platform::pg::Migrate(*conn, "svc", migrations);
  EXPECT_FALSE(result.has_value());
  EXPECT_EQ(Count(*conn, "SELECT count(*) FROM schema_migrations WHERE scope = 'svc'"), 1);
  EXPECT_EQ(Count(*conn, "SELECT count(*) FROM pg_tables WHERE tablename = 'half'"), 0);
}

TEST_F(PgTest, EditedMigrationIsRefused) {
  auto conn = Open();
  ASSERT_TRUE(platform::pg::Migrate(*conn, "svc", ThreeMigrations()).has_value());
  auto edited = ThreeMigrations();
  edited[0].sql = "CREATE TABLE a (id bigint PRIMARY KEY);";
  auto result = platform::pg::Migrate(*conn, "svc", edited);
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message.find("001_a.sql"), std::string::npos);
}

TEST_F(PgTest, PoolServesManyConcurrentCoroutinesWithinItsSizeWithoutBlockingTheLoop) {
  constexpr int kPoolSize = 4;
  constexpr int kRequests = 200;
  platform::pg::Pool pool(Conninfo(), kPoolSize);
  boost::asio::io_context context;
  std::atomic<int> in_flight{0};
  std::atomic<int> max_in_flight{0};
  std::atomic<int> correct{0};
  std::atomic<int> done{0};
  std::atomic<int> ticks{0};

  auto request = [&](int i) -> boost::asio::awaitable<void> {
    auto work = [&, i](Connection& conn) -> platform::pg::DbResult<std::int64_t> {
      int now = ++in_flight;
      int seen = max_in_flight.load();
      while (now > seen && !max_in_flight.compare_exchange_weak(seen, now)) {
      }
      static constexpr Query kEcho{"pool_echo", "SELECT $1::bigint + 0 FROM pg_sleep(0.002)"};
      auto rows = conn.Execute(kEcho, {std::to_string(i)});
      --in_flight;
      if (!rows) return std::unexpected(rows.error());
      return rows->Int(0, 0);
    };
    auto result = co_await pool.Run(std::move(work));
    if (result && *result == i) ++correct;
    ++done;
  };
  // A ticker on the same loop: if database work blocked the loop, it would stall.
  auto ticker = [&]() -> boost::asio::awaitable<void> {
    boost::asio::steady_timer timer(context);
    while (done.load() < kRequests) {
      timer.expires_after(std::chrono::milliseconds(2));
      co_await timer.async_wait(boost::asio::use_awaitable);
      ++ticks;
    }
  };
  for (int i = 0; i < kRequests; ++i) {
    boost::asio::co_spawn(context, request(i), boost::asio::detached);
  }
  boost::asio::co_spawn(context, ticker(), boost::asio::detached);
  std::thread second([&] { context.run(); });
  context.run();
  second.join();

  EXPECT_EQ(correct.load(), kRequests);
  EXPECT_LE(max_in_flight.load(), kPoolSize);
  EXPECT_GE(max_in_flight.load(), 2);  // the pool really ran queries side by side
  EXPECT_GT(ticks.load(), 10);
}

TEST_F(PgTest, PoolRecoversAfterItsConnectionsAreKilled) {
  platform::pg::Pool pool(Conninfo(), 2);
  auto pid = [&] { return BackendPid(pool); };
  auto before = pid();
  ASSERT_TRUE(before.has_value());
  static constexpr Query kKill{"pool_kill", "SELECT pg_terminate_backend($1::int)"};
  ASSERT_TRUE(admin_->Execute(kKill, {std::to_string(*before)}).has_value());
  // The first use may see the broken connection; the pool must then replace it.
  std::optional<std::int64_t> after;
  for (int attempt = 0; attempt < 3 && !after; ++attempt) {
    auto r = pid();
    if (r) after = *r;
  }
  ASSERT_TRUE(after.has_value());
  EXPECT_NE(*after, *before);
}

// A failover or a restart closes pooled connections while they are idle: the next use must not
// fail on one (it is noticed at checkout and replaced), not even the first.
TEST_F(PgTest, AConnectionTheServerClosedWhileIdleIsReplacedBeforeItsNextUse) {
  platform::pg::Pool pool(Conninfo(), 1);
  auto pid = [&] { return BackendPid(pool); };
  auto before = pid();
  ASSERT_TRUE(before.has_value());
  static constexpr Query kKill{"idle_kill", "SELECT pg_terminate_backend($1::int, 5000)"};
  auto killed = admin_->Execute(kKill, {std::to_string(*before)});
  ASSERT_TRUE(killed.has_value());
  ASSERT_EQ(killed->Text(0, 0), "t");  // with a timeout: returns once the backend has exited
  auto after = pid();
  ASSERT_TRUE(after.has_value()) << after.error().message;
  EXPECT_NE(*after, *before);
}

}  // namespace
