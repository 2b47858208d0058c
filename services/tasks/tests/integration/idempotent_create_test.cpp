// Idempotency-Key end to end inside the service: POST /v1/tasks (the route, without the auth
// guard) on the real PgTaskRepository and a redis-server child. PostgreSQL keeps the key in the
// create's transaction, so a retry gets the first answer whatever happened to Redis (flushed,
// restarted, down), a key raced in one commit group or across replicas makes one task, and keys
// older than 24 h are swept in batches.

#include <boost/asio/detached.hpp>

#include <variant>

#include "infra/pg/idempotency.hpp"
#include "infra/pg/pg_task_repository.hpp"
#include "infra/redis/redis_task_cache.hpp"
#include "infra/rest/cursor_codec.hpp"
#include "infra/rest/task_routes.hpp"
#include "infra/scheduler/idempotency_sweeper.hpp"
#include "platform/pg/pool.hpp"
#include "platform/redis/client.hpp"
#include "tasks_test_env.hpp"

namespace tasks::itest {
namespace {

using platform::http::Request;
using platform::http::Response;

class IdempotentCreateTest : public TasksDbTest {
 protected:
  void SetUp() override {
    TasksDbTest::SetUp();
    if (HasFatalFailure()) return;
    redis_server_ = std::make_unique<RedisServer>();
    auto failed = redis_server_->Start();
    ASSERT_FALSE(failed.has_value()) << *failed;
    redis_ =
        std::make_unique<platform::redis::Client>("127.0.0.1", redis_server_->port(), 2, 250ms);
    pool_ = std::make_unique<pg::Pool>(Conninfo(), 4);
    repo_ = std::make_unique<infra::PgTaskRepository>(*pool_);
    deps_ = std::make_unique<app::TaskDeps>(app::TaskDeps{*repo_, cache_, env_});
    store_ = std::make_unique<infra::IdempotencyStore>(*redis_);
    pages_ = std::make_unique<infra::RedisTaskCache>(*redis_, std::chrono::seconds(60));
    api_ = std::make_unique<infra::TaskApi>(infra::TaskApi{*deps_, cursors_, *store_, *pages_});
    user_ = platform::NewUuidV7();
  }
  void TearDown() override {
    api_.reset();
    pages_.reset();
    store_.reset();
    deps_.reset();
    repo_.reset();
    pool_.reset();
    redis_.reset();
    redis_server_.reset();
    TasksDbTest::TearDown();
  }

  Response Post(const std::string& body, std::optional<std::string> key,
                const std::string& user = "") {
    Request request;
    request.method = "POST";
    request.path = request.target = "/v1/tasks";
    request.headers.emplace_back("content-type", "application/json");
    if (key) request.headers.emplace_back("idempotency-key", *key);
    request.body = body;
    request.subject = user.empty() ? user_ : user;
    request.request_id = "req-" + UniqueSuffix();
    return RunSync(infra::CreateTaskRoute(*api_, request));
  }

  static std::string IdOf(const Response& response) {
    auto doc = ParseJson(response.body);
    return doc.IsObject() && doc.HasMember("id") ? doc["id"].GetString() : "";
  }

  std::int64_t Tasks() { return Count("SELECT count(*) FROM tasks WHERE owner_id = $1", {user_}); }
  std::int64_t CreatedEvents() {
    return Count(
        "SELECT count(*) FROM outbox WHERE payload::jsonb->>'type' = 'todo.task.created' AND "
        "payload::jsonb->'data'->>'owner_id' = $1",
        {user_});
  }

  // Until the client has reconnected to a restarted Redis (it reconnects with back-off).
  bool RedisAnswers() {
    return Eventually([&] { return RunSync(redis_->Execute1({"PING"})).has_value(); }, 10s);
  }

  // Asserts a replay: 201, the first response's bytes, Location and ETag, marked replayed.
  void ExpectReplayOf(const Response& again, const Response& first) {
    EXPECT_EQ(again.status, 201) << again.body;
    EXPECT_EQ(again.body, first.body);
    EXPECT_EQ(again.Header("Location"), first.Header("Location"));
    EXPECT_EQ(again.Header("ETag"), first.Header("ETag"));
    EXPECT_EQ(again.Header("Idempotent-Replayed"), "true");
  }

  std::unique_ptr<RedisServer> redis_server_;
  std::unique_ptr<platform::redis::Client> redis_;
  std::unique_ptr<pg::Pool> pool_;
  std::unique_ptr<infra::PgTaskRepository> repo_;
  MemoryCache cache_;
  SystemEnvironment env_;
  std::unique_ptr<app::TaskDeps> deps_;
  infra::CursorCodec cursors_{"cursor-key-for-tests"};
  std::unique_ptr<infra::IdempotencyStore> store_;
  std::unique_ptr<infra::RedisTaskCache> pages_;
  std::unique_ptr<infra::TaskApi> api_;
  std::string user_;
};

const std::string kBody = R"({"title":"Tadarus juz 5","labels":["ramadhan"]})";

TEST_F(IdempotentCreateTest, RetryAfterRedisFlushAllReturnsTheFirstTask) {
  auto first = Post(kBody, "flush-1");
  ASSERT_EQ(first.status, 201) << first.body;
  ASSERT_TRUE(RunSync(redis_->Execute1({"FLUSHALL"})).has_value());
  auto again = Post(kBody, "flush-1");
  ExpectReplayOf(again, first);
  EXPECT_EQ(Tasks(), 1);
  EXPECT_EQ(CreatedEvents(), 1);
  // The replay refilled Redis: the next retry is answered there, still the same.
  ExpectReplayOf(Post(kBody, "flush-1"), first);
  EXPECT_EQ(Tasks(), 1);
}

TEST_F(IdempotentCreateTest, RetryAfterRedisRestartReturnsTheFirstTask) {
  auto first = Post(kBody, "restart-1");
  ASSERT_EQ(first.status, 201) << first.body;
  redis_server_->Stop();
  ASSERT_FALSE(redis_server_->Start().has_value());
  ASSERT_TRUE(RedisAnswers());
  ExpectReplayOf(Post(kBody, "restart-1"), first);
  EXPECT_EQ(Tasks(), 1);
  EXPECT_EQ(CreatedEvents(), 1);
}

TEST_F(IdempotentCreateTest, RetryWhileRedisIsDownReturnsTheFirstTask) {
  auto first = Post(kBody, "down-1");
  ASSERT_EQ(first.status, 201) << first.body;
  redis_server_->Stop();
  ExpectReplayOf(Post(kBody, "down-1"), first);
  // A create made while Redis is down is kept as well: its retries, down or back up, match.
  auto made_while_down = Post(kBody, "down-2");
  ASSERT_EQ(made_while_down.status, 201) << made_while_down.body;
  ExpectReplayOf(Post(kBody, "down-2"), made_while_down);
  ASSERT_FALSE(redis_server_->Start().has_value());
  ASSERT_TRUE(RedisAnswers());
  ExpectReplayOf(Post(kBody, "down-2"), made_while_down);
  EXPECT_EQ(Tasks(), 2);
  EXPECT_EQ(CreatedEvents(), 2);
}

TEST_F(IdempotentCreateTest, SameKeyWithAnotherBodyIs422WithOrWithoutRedis) {
  auto first = Post(kBody, "body-1");
  ASSERT_EQ(first.status, 201) << first.body;
  const std::string other = R"({"title":"something else"})";
  EXPECT_EQ(Post(other, "body-1").status, 422);  // Redis's fast path
  ASSERT_TRUE(RunSync(redis_->Execute1({"FLUSHALL"})).has_value());
  auto refused = Post(other, "body-1");  // PostgreSQL's record
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_NE(refused.body.find("\"type\":\"/problems/conflict\""), std::string::npos)
      << refused.body;
  redis_server_->Stop();
  EXPECT_EQ(Post(other, "body-1").status, 422);
  EXPECT_EQ(Tasks(), 1);
  EXPECT_EQ(CreatedEvents(), 1);
}

// The first response is what a retry gets, even once the task has changed or is gone.
TEST_F(IdempotentCreateTest, RetryAfterTheTaskWasDeletedReturnsTheFirstResponse) {
  auto first = Post(kBody, "gone-1");
  ASSERT_EQ(first.status, 201) << first.body;
  ASSERT_TRUE(RunSync(repo_->Delete(user_, IdOf(first), std::nullopt, "req-del")).value());
  ASSERT_TRUE(RunSync(redis_->Execute1({"FLUSHALL"})).has_value());
  ExpectReplayOf(Post(kBody, "gone-1"), first);
  EXPECT_EQ(Tasks(), 0);
}

TEST_F(IdempotentCreateTest, KeysArePerUser) {
  auto mine = Post(kBody, "shared");
  std::string other_user = platform::NewUuidV7();
  auto theirs = Post(kBody, "shared", other_user);
  ASSERT_EQ(mine.status, 201);
  ASSERT_EQ(theirs.status, 201);
  EXPECT_NE(IdOf(mine), IdOf(theirs));
  ASSERT_TRUE(RunSync(redis_->Execute1({"FLUSHALL"})).has_value());
  EXPECT_EQ(IdOf(Post(kBody, "shared", other_user)), IdOf(theirs));
}

TEST_F(IdempotentCreateTest, KeyMustBe1To255PrintableAsciiCharacters) {
  for (const std::string& bad : {std::string(), std::string(256, 'k'), std::string("caf\xc3\xa9"),
                                 std::string("tab\there"), std::string("nul\0x", 5)}) {
    auto refused = Post(kBody, bad);
    EXPECT_EQ(refused.status, 400) << bad;
    EXPECT_NE(refused.body.find("Idempotency-Key"), std::string::npos) << refused.body;
  }
  EXPECT_EQ(Tasks(), 0);
  EXPECT_EQ(Post(kBody, std::string(255, 'k')).status, 201);
  EXPECT_EQ(Post(kBody, " !\"#~ printable ASCII, spaces too").status, 201);
  EXPECT_EQ(Tasks(), 2);
}

// A claim left in Redis by a request that died holds its key only briefly, not for 24 h.
TEST_F(IdempotentCreateTest, AnUnfinishedClaimHoldsItsKeyInRedisOnlyBriefly) {
  std::string hash = infra::BodyHash(kBody);
  using Kind = infra::IdempotencyStore::Claim::Kind;
  ASSERT_EQ(RunSync(store_->Begin(user_, "died", hash)).kind, Kind::kClaimed);
  auto ttl = RunSync(redis_->Execute1({"TTL", "idem:" + user_ + ":died"}));
  ASSERT_TRUE(ttl.has_value());
  EXPECT_GT(ttl->integer, 0);
  EXPECT_LE(ttl->integer, 60);
  EXPECT_EQ(Post(kBody, "died").status, 409);  // the claim's request might still be running
}

// In one commit group: two creates under one key, one under it with another body, one without
// a key. One task for the key, the others find its first response or 422; the group commits.
TEST_F(IdempotentCreateTest, SameKeyTwiceInOneGroupInsertsOnceAndTheGroupCommits) {
  auto keyed = [&](const std::string& title, const std::string& hash) {
    infra::NewTask item{MakeTask(user_, title), "req-" + title, app::IdempotencyKey{"k", hash},
                        std::make_shared<std::optional<platform::Result<app::FirstResponse>>>()};
    item.task.version = 1;
    return item;
  };
  std::vector<infra::NewTask> group;
  group.push_back(keyed("first", "h"));
  group.push_back(infra::NewTask{MakeTask(user_, "unkeyed"), "req-unkeyed", std::nullopt, nullptr});
  group.push_back(keyed("second", "h"));
  group.push_back(keyed("other body", "h2"));
  auto conn = Open();
  ASSERT_TRUE(conn);
  auto written = conn->Transaction(
      [&](pg::Connection& tx) { return infra::InsertTasks(tx, std::span(group)); });
  ASSERT_TRUE(written.has_value()) << written.error().message;
  EXPECT_FALSE(group[0].taken->has_value());  // inserted
  ASSERT_TRUE(group[2].taken->has_value());
  ASSERT_TRUE(group[2].taken->value().has_value());
  EXPECT_EQ(group[2].taken->value()->task_id, group[0].task.id);
  EXPECT_EQ(group[2].taken->value()->body, infra::TaskJson(group[0].task));
  ASSERT_TRUE(group[3].taken->has_value());
  ASSERT_FALSE(group[3].taken->value().has_value());
  EXPECT_EQ(group[3].taken->value().error().kind, platform::ErrorKind::kUnprocessable);
  EXPECT_EQ(Tasks(), 2);
  EXPECT_EQ(CreatedEvents(), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM tasks WHERE id = $1", {group[0].task.id}), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM tasks WHERE id = $1", {group[1].task.id}), 1);
}

boost::asio::awaitable<void> InsertOnceInto(infra::PgTaskRepository* repo, domain::Task task,
                                            std::mutex* mutex, std::vector<std::string>* ids,
                                            std::vector<std::string>* failures) {
  app::IdempotencyKey key{"raced", "same-hash"};
  std::string id = task.id;
  auto outcome = co_await repo->InsertOnce(task, "req-raced", key);
  std::lock_guard lock(*mutex);
  if (!outcome) {
    failures->push_back(outcome.error().detail);
  } else {
    ids->push_back(*outcome ? (*outcome)->task_id : id);
  }
}

// Creates under one key submitted at once to two repositories (replicas, each with its own pool
// and commit groups): one task and one event, and every create answers with that task's id.
TEST_F(IdempotentCreateTest, SameKeyRacedOnTwoReplicasMakesOneTask) {
  pg::Pool other_pool(Conninfo(), 4);
  infra::PgTaskRepository replica(other_pool);
  std::mutex mutex;
  std::vector<std::string> ids, failures;
  auto submit_all = [&](infra::PgTaskRepository* repo) {
    boost::asio::io_context io;
    for (int i = 0; i < 20; ++i) {
      auto task = MakeTask(user_, "raced");
      task.version = 1;
      boost::asio::co_spawn(io, InsertOnceInto(repo, task, &mutex, &ids, &failures),
                            boost::asio::detached);
    }
    io.run();
  };
  std::thread a([&] { submit_all(repo_.get()); });
  std::thread b([&] { submit_all(&replica); });
  a.join();
  b.join();
  EXPECT_TRUE(failures.empty()) << failures.front();
  ASSERT_EQ(ids.size(), 40u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 1u);
  EXPECT_EQ(Tasks(), 1);
  EXPECT_EQ(CreatedEvents(), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM tasks WHERE id = $1", {ids.front()}), 1);
}

TEST_F(IdempotentCreateTest, KeysOlderThan24HoursAreSweptInBatchesAndNoLongerCount) {
  for (int i = 0; i < 7; ++i) {
    ASSERT_EQ(Post(kBody, "old-" + std::to_string(i)).status, 201);
  }
  auto fresh = Post(kBody, "fresh");
  ASSERT_EQ(fresh.status, 201);
  Sql("UPDATE idempotency_keys SET created_at = now() - interval '24 hours 1 second' "
      "WHERE idem_key LIKE 'old-%'");
  ASSERT_TRUE(RunSync(redis_->Execute1({"FLUSHALL"})).has_value());
  // An old key no longer counts even before the sweep: its retry creates anew.
  auto reused = Post(kBody, "old-0");
  EXPECT_EQ(reused.status, 201);
  EXPECT_EQ(reused.Header("Idempotent-Replayed"), "");
  EXPECT_EQ(Tasks(), 9);
  auto swept = infra::IdempotencyKeySweeper::SweepOnce(*conn_, 2);
  ASSERT_TRUE(swept.has_value()) << swept.error().message;
  EXPECT_EQ(*swept, 6);  // old-1..old-6, three statements of 2 and an empty one
  EXPECT_EQ(Count("SELECT count(*) FROM idempotency_keys WHERE owner_id = $1", {user_}), 2);
  ExpectReplayOf(Post(kBody, "fresh"), fresh);
  EXPECT_EQ(IdOf(Post(kBody, "old-0")), IdOf(reused));
}

TEST_F(IdempotentCreateTest, TheSweeperThreadDeletesOldKeys) {
  ASSERT_EQ(Post(kBody, "old").status, 201);
  Sql("UPDATE idempotency_keys SET created_at = now() - interval '25 hours'");
  infra::IdempotencyKeySweeper sweeper(Conninfo(), {std::chrono::milliseconds(20), 100});
  sweeper.Start();
  EXPECT_TRUE(Eventually([&] { return Count("SELECT count(*) FROM idempotency_keys") == 0; }, 10s));
  sweeper.Stop();
}

}  // namespace
}  // namespace tasks::itest
