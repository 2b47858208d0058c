// UserEventConsumer::Apply against the local PostgreSQL: the user replica follows created and
// updated events by version, and a deleted user's tasks are erased with their events.

#include <algorithm>
#include <set>

#include "infra/events/user_event_consumer.hpp"
#include "infra/pg/pg_task_repository.hpp"
#include "platform/bus/jetstream.hpp"
#include "platform/json.hpp"
#include "platform/pg/pool.hpp"
#include "tasks_test_env.hpp"

namespace tasks::itest {
namespace {

std::string UserEvent(std::string_view type, const std::string& user_id, std::int64_t version,
                      std::optional<std::string> timezone = std::nullopt,
                      std::optional<std::int64_t> ttl = std::nullopt) {
  platform::JsonWriter w;
  w.StartObject();
  w.Field("specversion", "1.0");
  w.Field("id", platform::NewUuidV7());
  w.Field("source", "/identity");
  w.Field("type", type);
  w.Field("subject", user_id);
  w.Field("time", "2026-03-11T04:30:00.000Z");
  w.Field("datacontenttype", "application/json");
  w.Field("entityversion", version);
  w.Key("data");
  w.StartObject();
  w.Field("id", user_id);
  if (type != "todo.user.deleted") {
    w.Field("email", "someone@example.com");
    w.Field("timezone", timezone);
    w.Field("default_task_ttl_seconds", ttl);
  }
  w.Field("version", version);
  w.EndObject();
  w.EndObject();
  return w.Take();
}

class ConsumerTest : public TasksDbTest {
 protected:
  void SetUp() override {
    TasksDbTest::SetUp();
    if (HasFatalFailure()) return;
    auto js = platform::bus::JetStream::Connect(TestNatsUrl(), "tasks-consumer-test");
    ASSERT_TRUE(js.has_value()) << js.error().detail;
    js_ = std::move(*js);
    consumer_ = std::make_unique<infra::UserEventConsumer>(
        Conninfo(), *js_, [this](const std::string& user_id) { erased_.push_back(user_id); });
    pool_ = std::make_unique<pg::Pool>(Conninfo(), 2);
    repo_ = std::make_unique<infra::PgTaskRepository>(*pool_);
    user_ = platform::NewUuidV7();
  }
  void TearDown() override {
    consumer_.reset();
    js_.reset();
    repo_.reset();
    pool_.reset();
    TasksDbTest::TearDown();
  }

  void Apply(std::string_view type, const std::string& payload) {
    auto applied = consumer_->Apply(*conn_, type, payload);
    ASSERT_TRUE(applied.has_value()) << applied.error().message;
  }
  app::OwnerSettings Settings(const std::string& user) {
    auto settings = RunSync(repo_->Settings(user));
    EXPECT_TRUE(settings.has_value());
    return settings ? *settings : app::OwnerSettings{};
  }

  std::unique_ptr<platform::bus::JetStream> js_;
  std::unique_ptr<infra::UserEventConsumer> consumer_;
  std::unique_ptr<pg::Pool> pool_;
  std::unique_ptr<infra::PgTaskRepository> repo_;
  std::string user_;
  std::vector<std::string> erased_;
};

TEST_F(ConsumerTest, CreatedAndUpdatedEventsSetTimezoneAndDefaultTtl) {
  Apply("todo.user.created",
        UserEvent("todo.user.created", user_, 1, "Asia/Jakarta", std::int64_t{3600}));
  auto created = Settings(user_);
  EXPECT_EQ(created.timezone, "Asia/Jakarta");
  EXPECT_EQ(created.default_task_ttl_seconds, 3600);
  Apply("todo.user.updated", UserEvent("todo.user.updated", user_, 2, "Europe/Berlin"));
  auto updated = Settings(user_);
  EXPECT_EQ(updated.timezone, "Europe/Berlin");
  EXPECT_FALSE(updated.default_task_ttl_seconds.has_value());
  EXPECT_EQ(Count("SELECT version FROM user_replica WHERE id = $1", {user_}), 2);
  // Another todo.user.* type is ignored without error.
  Apply("todo.user.logged_in", UserEvent("todo.user.logged_in", user_, 9, "UTC"));
  EXPECT_EQ(Settings(user_).timezone, "Europe/Berlin");
}

TEST_F(ConsumerTest, AnOlderOrRepeatedVersionChangesNothing) {
  Apply("todo.user.created", UserEvent("todo.user.created", user_, 1, "UTC", std::int64_t{60}));
  Apply("todo.user.updated",
        UserEvent("todo.user.updated", user_, 3, "Asia/Tokyo", std::int64_t{7200}));
  Apply("todo.user.updated",
        UserEvent("todo.user.updated", user_, 2, "America/Lima", std::int64_t{10}));
  Apply("todo.user.updated", UserEvent("todo.user.updated", user_, 3, "Africa/Cairo"));
  auto settings = Settings(user_);
  EXPECT_EQ(settings.timezone, "Asia/Tokyo");
  EXPECT_EQ(settings.default_task_ttl_seconds, 7200);
  EXPECT_EQ(Count("SELECT version FROM user_replica WHERE id = $1", {user_}), 3);
}

TEST_F(ConsumerTest, DeletedErasesTheUsersTasksWithEventsAndLaterEventsAreIgnored) {
  Apply("todo.user.created",
        UserEvent("todo.user.created", user_, 1, "Asia/Jakarta", std::int64_t{3600}));
  std::vector<domain::Task> mine;
  for (int i = 0; i < 3; ++i) {
    domain::Task t = MakeTask(user_, "mine " + std::to_string(i));
    t.version = i + 1;
    ASSERT_TRUE(RunSync(repo_->Insert(t, "req")).has_value());
    mine.push_back(t);
  }
  domain::Task theirs = MakeTask(platform::NewUuidV7(), "theirs");
  ASSERT_TRUE(RunSync(repo_->Insert(theirs, "req")).has_value());
  Sql("DELETE FROM outbox");

  Apply("todo.user.deleted", UserEvent("todo.user.deleted", user_, 2));
  EXPECT_EQ(Count("SELECT count(*) FROM tasks WHERE owner_id = $1", {user_}), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM tasks WHERE id = $1", {theirs.id}), 1);
  EXPECT_EQ(erased_, std::vector<std::string>{user_});

  auto rows = Sql("SELECT event_id::text, subject, payload FROM outbox ORDER BY id");
  ASSERT_EQ(rows.Size(), 3);
  std::set<std::string> seen;
  for (int i = 0; i < rows.Size(); ++i) {
    EXPECT_EQ(rows.Text(i, 1), "todo.task.deleted");
    auto doc = ParseJson(rows.Text(i, 2));
    EXPECT_EQ(doc["id"].GetString(), rows.Text(i, 0));
    EXPECT_STREQ(doc["specversion"].GetString(), "1.0");
    EXPECT_STREQ(doc["type"].GetString(), "todo.task.deleted");
    EXPECT_STREQ(doc["source"].GetString(), "/tasks");
    std::string id = doc["subject"].GetString();
    seen.insert(id);
    auto it = std::find_if(mine.begin(), mine.end(), [&](const auto& t) { return t.id == id; });
    ASSERT_NE(it, mine.end());
    EXPECT_EQ(doc["entityversion"].GetInt64(), it->version + 1);
    EXPECT_EQ(doc["data"]["id"].GetString(), id);
    EXPECT_EQ(doc["data"]["owner_id"].GetString(), user_);
    EXPECT_EQ(doc["data"]["version"].GetInt64(), it->version + 1);
  }
  EXPECT_EQ(seen.size(), 3u);

  // The account is gone: later (even newer) created/updated events do not bring it back.
  Apply("todo.user.updated", UserEvent("todo.user.updated", user_, 5, "Europe/Paris"));
  Apply("todo.user.created", UserEvent("todo.user.created", user_, 6, "Europe/Paris"));
  auto settings = Settings(user_);
  EXPECT_EQ(settings.timezone, "UTC");
  EXPECT_FALSE(settings.default_task_ttl_seconds.has_value());
  EXPECT_EQ(Count("SELECT count(*) FROM user_replica WHERE id = $1 AND deleted", {user_}), 1);
  // A redelivered delete erases nothing more and writes no events.
  Apply("todo.user.deleted", UserEvent("todo.user.deleted", user_, 2));
  EXPECT_EQ(Count("SELECT count(*) FROM outbox"), 3);
}

// A key's first response holds the task as created (the user's data): it goes with the account.
TEST_F(ConsumerTest, DeletedErasesTheUsersIdempotencyKeys) {
  std::string other = platform::NewUuidV7();
  for (const auto& owner : {user_, other}) {
    domain::Task t = MakeTask(owner, "keyed");
    t.version = 1;
    auto inserted = RunSync(repo_->InsertOnce(t, "req", app::IdempotencyKey{"k", "hash"}));
    ASSERT_TRUE(inserted.has_value()) << inserted.error().detail;
  }
  Apply("todo.user.deleted", UserEvent("todo.user.deleted", user_, 2));
  EXPECT_EQ(Count("SELECT count(*) FROM idempotency_keys WHERE owner_id = $1", {user_}), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM idempotency_keys WHERE owner_id = $1", {other}), 1);
}

TEST_F(ConsumerTest, DeleteArrivingBeforeCreateStillWins) {
  Apply("todo.user.deleted", UserEvent("todo.user.deleted", user_, 3));
  Apply("todo.user.created", UserEvent("todo.user.created", user_, 1, "Asia/Jakarta"));
  EXPECT_EQ(Settings(user_).timezone, "UTC");
  EXPECT_EQ(Count("SELECT count(*) FROM user_replica WHERE id = $1 AND deleted", {user_}), 1);
}

TEST_F(ConsumerTest, MalformedEnvelopeIsAnErrorAndChangesNothing) {
  EXPECT_FALSE(consumer_->Apply(*conn_, "todo.user.created", "{not json").has_value());
  EXPECT_FALSE(consumer_->Apply(*conn_, "todo.user.created", "{\"data\":{}}").has_value());
  EXPECT_EQ(Count("SELECT count(*) FROM user_replica"), 0);
}

}  // namespace
}  // namespace tasks::itest
