#pragma once
// Shared set-up of the tasks integration tests: the local stack's PostgreSQL (scripts/infra-up)
// with one schema per test holding the outbox and the tasks migrations, a redis-server child
// process per fixture, task builders, and helpers to run awaitables and poll conditions.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <utility>

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <rapidjson/document.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "app/ports.hpp"
#include "domain/task.hpp"
#include "infra/json/task_json.hpp"
#include "platform/bus/outbox.hpp"
#include "platform/pg/connection.hpp"
#include "platform/pg/migrations.hpp"
#include "platform/testing/redis_server.hpp"
#include "platform/testing/run_sync.hpp"
#include "platform/testing/test_env.hpp"
#include "platform/uuid.hpp"

namespace tasks::migrations {
const std::vector<std::pair<std::string_view, std::string_view>>& EmbeddedFiles();
}

namespace tasks::itest {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;
namespace pg = platform::pg;

using platform::testenv::EnvOr;
using platform::testenv::Eventually;
using platform::testenv::TestNatsUrl;
using platform::testenv::TestPgConninfo;
using platform::testenv::UniqueSuffix;
using platform::testing::RunSync;

inline domain::Time Now() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

inline std::int64_t Ms(domain::Time t) { return t.time_since_epoch().count(); }

// A task as the repository stores it: fresh UUIDv7 id, version 1, created/updated now.
inline domain::Task MakeTask(const std::string& owner_id, std::string title = "Tadarus juz 5") {
  domain::Task t;
  t.id = platform::NewUuidV7();
  t.owner_id = owner_id;
  t.title = std::move(title);
  t.created_at = Now();
  t.updated_at = t.created_at;
  return t;
}

// Every field (the JSON the events carry, owner included): equal strings mean equal tasks.
inline std::string Describe(const domain::Task& t) { return infra::TaskEventJson(t); }

// SystemEnvironment: UUIDv7 ids and the system clock, as the service uses.
class SystemEnvironment : public app::Environment {
 public:
  std::string NewId() override { return platform::NewUuidV7(); }
  domain::Time Now() override { return itest::Now(); }
};

// MemoryCache: a trivial TaskCache (thread-safe, no version checks) for use-case tests.
class MemoryCache : public app::TaskCache {
 public:
  app::Async<std::optional<domain::Task>> Get(std::string owner_id, std::string id) override {
    std::optional<domain::Task> found;
    {
      std::lock_guard lock(mutex_);
      auto it = entries_.find(owner_id + ":" + id);
      if (it != entries_.end()) found = it->second;
    }
    co_return found;
  }
  app::Async<void> Put(domain::Task task) override {
    {
      std::lock_guard lock(mutex_);
      entries_[task.owner_id + ":" + task.id] = task;
    }
    co_return platform::Result<void>{};
  }
  app::Async<void> Forget(std::string owner_id, std::string id) override {
    {
      std::lock_guard lock(mutex_);
      entries_.erase(owner_id + ":" + id);
    }
    co_return platform::Result<void>{};
  }
  app::Async<void> Hold(std::string owner_id, std::string id, std::int64_t /*version*/) override {
    co_return co_await Forget(std::move(owner_id), std::move(id));
  }
  app::Async<void> BumpLists(std::string /*owner_id*/) override {
    co_return platform::Result<void>{};
  }

 private:
  std::mutex mutex_;
  std::map<std::string, domain::Task> entries_;
};

inline rapidjson::Document ParseJson(std::string_view text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  EXPECT_FALSE(doc.HasParseError()) << text;
  return doc;
}

// TasksDbTest: a schema of its own in todo_test, migrated like the service does at start-up.
class TasksDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    schema_ = "tasks_it_" + UniqueSuffix();
    auto admin = pg::Connection::Open(TestPgConninfo());
    ASSERT_TRUE(admin.has_value()) << admin.error().message;
    admin_ = std::move(*admin);
    ASSERT_TRUE(admin_->ExecuteScript("SET client_min_messages = warning"));
    EnsureExtensionsInPublic();
    if (HasFatalFailure()) return;
    auto created = admin_->ExecuteScript("CREATE SCHEMA " + schema_);
    ASSERT_TRUE(created.has_value()) << created.error().message;
    conninfo_ = TestPgConninfo() + " options=-csearch_path=" + schema_ + ",public";
    conn_ = Open();
    ASSERT_TRUE(conn_);
    auto all = platform::bus::OutboxMigrations();
    auto own = pg::MigrationsFrom(tasks::migrations::EmbeddedFiles());
    all.insert(all.end(), own.begin(), own.end());
    auto applied = pg::Migrate(*conn_, "tasks", all);
    ASSERT_TRUE(applied.has_value()) << applied.error().message;
  }

  void TearDown() override {
    conn_.reset();
    if (admin_) {
      auto dropped = admin_->ExecuteScript("DROP SCHEMA " + schema_ + " CASCADE");
      EXPECT_TRUE(dropped.has_value()) << dropped.error().message;
    }
  }

  // Extensions live in one schema per database: keep the migrations' ones (pg_trgm, btree_gin)
  // in public, so that their CREATE EXTENSION IF NOT EXISTS is a no-op and every test schema
  // sees them via search_path.
  void EnsureExtensionsInPublic() {
    for (std::string name : {"pg_trgm", "btree_gin"}) {
      for (int attempt = 0; attempt < 5; ++attempt) {  // concurrent test processes may race
        if (admin_->ExecuteScript("CREATE EXTENSION IF NOT EXISTS " + name + " SCHEMA public")) {
          break;
        }
      }
      static constexpr pg::Query kWhere{
          "itest_extension_schema",
          "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = $1"};
      auto where = admin_->Execute(kWhere, {name});
      ASSERT_TRUE(where.has_value()) << where.error().message;
      ASSERT_FALSE(where->Empty()) << name;
      if (where->Text(0, 0) != "public") {
        ASSERT_TRUE(admin_->ExecuteScript("ALTER EXTENSION " + name + " SET SCHEMA public"));
      }
    }
  }

  const std::string& Conninfo() const { return conninfo_; }

  std::unique_ptr<pg::Connection> Open(const std::string& extra = "") {
    auto conn = pg::Connection::Open(conninfo_ + extra);
    EXPECT_TRUE(conn.has_value()) << conn.error().message;
    return conn ? std::move(*conn) : nullptr;
  }

  // Runs ad-hoc SQL on the fixture's connection (each text prepared under a unique name).
  pg::Rows Sql(const std::string& sql, const pg::Params& params = {}) {
    return SqlOn(*conn_, sql, params);
  }
  pg::Rows SqlOn(pg::Connection& conn, const std::string& sql, const pg::Params& params = {}) {
    static std::atomic<int> counter{0};
    sql_texts_.push_back(std::make_unique<std::string>(sql));
    names_.push_back(std::make_unique<std::string>("itest_q_" + std::to_string(++counter)));
    auto rows = conn.Execute(pg::Query{*names_.back(), *sql_texts_.back()}, params);
    if (!rows) {
      ADD_FAILURE() << sql << ": " << rows.error().message;
      throw std::runtime_error(rows.error().message);
    }
    return std::move(*rows);
  }
  std::int64_t Count(const std::string& sql, const pg::Params& params = {}) {
    return Sql(sql, params).Int(0, 0);
  }

  std::string schema_;
  std::string conninfo_;
  std::unique_ptr<pg::Connection> admin_;
  std::unique_ptr<pg::Connection> conn_;
  std::vector<std::unique_ptr<std::string>> names_, sql_texts_;
};

using platform::testing::FreePort;
using platform::testing::RedisServer;

}  // namespace tasks::itest
