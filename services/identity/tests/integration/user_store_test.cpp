// PgUserStore against the local PostgreSQL (scripts/infra-up), one schema per test: each
// change commits with its events, rows are read by column name, and a row of the wrong shape
// is a named error rather than a crash or a wrong value.

#include <utility>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "infra/pg/pg_user_store.hpp"
#include "infra/pg/queries.hpp"
#include "infra/pg/user_rows.hpp"
#include "platform/bus/outbox.hpp"
#include "platform/pg/connection.hpp"
#include "platform/pg/migrations.hpp"
#include "platform/pg/pool.hpp"
#include "platform/testing/run_sync.hpp"
#include "platform/testing/test_env.hpp"
#include "platform/uuid.hpp"

namespace identity::migrations {
const std::vector<std::pair<std::string_view, std::string_view>>& EmbeddedFiles();
}

namespace identity::infra {
namespace {

namespace pg = platform::pg;
using platform::testenv::TestPgConninfo;
using platform::testenv::UniqueSuffix;
using platform::testing::RunSync;

constexpr std::chrono::seconds kAccessTtl{900};

class UserStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    schema_ = "identity_it_" + UniqueSuffix();
    auto admin = pg::Connection::Open(TestPgConninfo());
    ASSERT_TRUE(admin.has_value()) << admin.error().message;
    admin_ = std::move(*admin);
    ASSERT_TRUE(admin_->ExecuteScript("SET client_min_messages = warning"));
    ASSERT_TRUE(admin_->ExecuteScript("CREATE SCHEMA " + schema_));
    conninfo_ = TestPgConninfo() + " options=-csearch_path=" + schema_;
    auto conn = pg::Connection::Open(conninfo_);
    ASSERT_TRUE(conn.has_value()) << conn.error().message;
    conn_ = std::move(*conn);
    auto all = platform::bus::OutboxMigrations();
    auto own = pg::MigrationsFrom(identity::migrations::EmbeddedFiles());
    all.insert(all.end(), own.begin(), own.end());
    auto applied = pg::Migrate(*conn_, "identity", all);
    ASSERT_TRUE(applied.has_value()) << applied.error().message;
    pool_ = std::make_unique<pg::Pool>(conninfo_, 2);
    store_ = std::make_unique<PgUserStore>(*pool_, kAccessTtl);
  }

  void TearDown() override {
    store_.reset();
    pool_.reset();
    conn_.reset();
    if (admin_) {
      EXPECT_TRUE(admin_->ExecuteScript("DROP SCHEMA " + schema_ + " CASCADE"));
    }
  }

  // Ad-hoc SQL of the test itself, each text under a name of its own.
  pg::Rows Sql(const std::string& sql, const pg::Params& params = {}) {
    static std::atomic<int> counter{0};
    texts_.push_back(std::make_unique<std::string>(sql));
    names_.push_back(std::make_unique<std::string>("identity_itest_" + std::to_string(++counter)));
    auto rows = conn_->Execute(pg::Query{*names_.back(), *texts_.back()}, params);
    if (!rows) ADD_FAILURE() << sql << ": " << rows.error().message;
    return std::move(rows).value();
  }

  // The event types in the outbox, oldest first.
  std::vector<std::string> EventTypes() {
    auto rows = Sql("SELECT subject FROM outbox ORDER BY id");
    std::vector<std::string> types;
    types.reserve(rows.Size());
    for (int i = 0; i < rows.Size(); ++i) types.push_back(rows.At(i).Text("subject").value());
    return types;
  }

  static app::NewSession Session(std::string hash) {
    return app::NewSession{platform::NewUuidV7(), std::move(hash), std::chrono::seconds(3600),
                           std::chrono::seconds(7200)};
  }

  domain::User Register(std::string email) {
    domain::User user;
    user.id = platform::NewUuidV7();
    user.email = std::move(email);
    user.name = "Aisyah";
    auto created = RunSync(store_->Create(user, "hash-1", Session("token-1"), "req-1"));
    EXPECT_TRUE(created.has_value()) << created.error().detail;
    return created.value_or(domain::User{});
  }

  std::string schema_, conninfo_;
  std::unique_ptr<pg::Connection> admin_, conn_;
  std::unique_ptr<pg::Pool> pool_;
  std::unique_ptr<PgUserStore> store_;
  std::vector<std::unique_ptr<std::string>> names_, texts_;
};

TEST_F(UserStoreTest, EachChangeCommitsWithItsEvent) {
  auto user = Register("aisyah@example.com");
  EXPECT_EQ(user.version, 1);
  EXPECT_EQ(user.timezone, "UTC");
  EXPECT_EQ(user.created_at.size(), std::string_view("2026-01-02T03:04:05.678Z").size());

  auto found = RunSync(store_->FindByEmail("aisyah@example.com"));
  ASSERT_TRUE(found.has_value()) << found.error().detail;
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->user.id, user.id);
  EXPECT_EQ((*found)->password_hash, "hash-1");

  app::ProfileChange change;
  change.name = "Aisyah R.";
  auto updated = RunSync(store_->Update(user.id, change, "req-2"));
  ASSERT_TRUE(updated.has_value()) << updated.error().detail;
  EXPECT_EQ(updated->name, "Aisyah R.");
  EXPECT_EQ(updated->version, 2);

  auto ended = RunSync(store_->Delete(user.id, "req-3"));
  ASSERT_TRUE(ended.has_value()) << ended.error().detail;
  ASSERT_EQ(ended->size(), 1u);
  EXPECT_EQ((*ended)[0].user_id, user.id);

  EXPECT_EQ(EventTypes(), (std::vector<std::string>{"todo.user.created", "todo.user.updated",
                                                    "todo.user.deleted", "todo.session.revoked"}));
}

TEST_F(UserStoreTest, ATakenEmailIsAConflict) {
  Register("aisyah@example.com");
  domain::User again;
  again.id = platform::NewUuidV7();
  again.email = "aisyah@example.com";
  again.name = "Other";
  auto created = RunSync(store_->Create(again, "hash-2", Session("token-2"), "req-2"));
  ASSERT_FALSE(created.has_value());
  EXPECT_EQ(created.error().kind, platform::ErrorKind::kConflict);
}

TEST_F(UserStoreTest, ARotatedTokenPresentedAgainEndsItsFamily) {
  auto user = Register("aisyah@example.com");
  auto first = RunSync(store_->Rotate("token-1", Session("token-2")));
  ASSERT_TRUE(first.has_value()) << first.error().detail;
  EXPECT_EQ(first->kind, app::RotationOutcome::Kind::kRotated);
  EXPECT_EQ(first->user_id, user.id);

  auto replay = RunSync(store_->Rotate("token-1", Session("token-3")));
  ASSERT_TRUE(replay.has_value()) << replay.error().detail;
  EXPECT_EQ(replay->kind, app::RotationOutcome::Kind::kReused);
  ASSERT_EQ(replay->ended.size(), 1u);
  EXPECT_EQ(replay->ended[0].session_id, first->family_id);
  EXPECT_EQ(EventTypes().back(), "todo.session.revoked");
}

TEST_F(UserStoreTest, AMalformedRowIsANamedError) {
  auto user = Register("aisyah@example.com");
  // A schema that has drifted from what the reader expects: a NULL name.
  Sql("ALTER TABLE users ALTER COLUMN name DROP NOT NULL");
  Sql("UPDATE users SET name = NULL WHERE id = $1", {user.id});

  auto rows = conn_->Execute(queries::kUserById, {user.id});
  ASSERT_TRUE(rows.has_value()) << rows.error().message;
  auto read = ReadCredentials(rows->At(0));
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().column, "name");
  EXPECT_EQ(read.error().problem, "NULL");
  pg::DbError as_db_error = read.error();
  EXPECT_TRUE(as_db_error.IsMalformedRow());

  // Through the store: an error for this request, never a user with a made-up name.
  auto found = RunSync(store_->FindById(user.id));
  EXPECT_FALSE(found.has_value());
}

}  // namespace
}  // namespace identity::infra
