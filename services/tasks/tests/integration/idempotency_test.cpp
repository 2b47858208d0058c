// IdempotencyStore against a redis-server child of its own: claim, in progress, replay,
// mismatch, abandon, concurrent claims, and Redis down.

#include <boost/asio/detached.hpp>

#include "infra/pg/idempotency.hpp"
#include "platform/redis/client.hpp"
#include "tasks_test_env.hpp"

namespace tasks::itest {
namespace {

using Kind = infra::IdempotencyStore::Claim::Kind;

class IdempotencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<RedisServer>();
    auto failed = server_->Start();
    ASSERT_FALSE(failed.has_value()) << *failed;
    redis_ = std::make_unique<platform::redis::Client>("127.0.0.1", server_->port(), 2, 250ms);
    store_ = std::make_unique<infra::IdempotencyStore>(*redis_);
    user_ = platform::NewUuidV7();
  }
  void TearDown() override {
    store_.reset();
    redis_.reset();
    server_.reset();
  }

  infra::IdempotencyStore::Claim Begin(const std::string& key, const std::string& hash) {
    return RunSync(store_->Begin(user_, key, hash));
  }

  std::unique_ptr<RedisServer> server_;
  std::unique_ptr<platform::redis::Client> redis_;
  std::unique_ptr<infra::IdempotencyStore> store_;
  std::string user_;
};

TEST_F(IdempotencyTest, BeginClaimsThenReportsInProgressReplayAndMismatch) {
  std::string hash = infra::BodyHash(R"({"title":"x"})");
  std::string other = infra::BodyHash(R"({"title":"y"})");
  EXPECT_EQ(Begin("key-1", hash).kind, Kind::kClaimed);
  EXPECT_EQ(Begin("key-1", hash).kind, Kind::kInProgress);
  EXPECT_EQ(Begin("key-1", other).kind, Kind::kMismatch);

  platform::http::Response response;
  response.status = 201;
  response.body = R"({"id":"t1","title":"x \"quoted\""})";
  response.headers.emplace_back("Location", "/v1/tasks/t1");
  response.headers.emplace_back("ETag", "\"1\"");
  RunSync(store_->Finish(user_, "key-1", hash, response));

  auto replay = Begin("key-1", hash);
  ASSERT_EQ(replay.kind, Kind::kReplay);
  EXPECT_EQ(replay.replay.status, 201);
  EXPECT_EQ(replay.replay.body, response.body);
  EXPECT_EQ(replay.replay.Header("Location"), "/v1/tasks/t1");
  EXPECT_EQ(replay.replay.Header("ETag"), "\"1\"");
  EXPECT_EQ(replay.replay.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(Begin("key-1", other).kind, Kind::kMismatch);

  // Keys are per user and per key.
  EXPECT_EQ(Begin("key-2", hash).kind, Kind::kClaimed);
  std::string someone_else = platform::NewUuidV7();
  EXPECT_EQ(RunSync(store_->Begin(someone_else, "key-1", hash)).kind, Kind::kClaimed);
  auto ttl = RunSync(redis_->Execute1({"TTL", "idem:" + user_ + ":key-1"}));
  ASSERT_TRUE(ttl.has_value());
  EXPECT_GT(ttl->integer, 23 * 3600);
  EXPECT_LE(ttl->integer, 24 * 3600);
}

TEST_F(IdempotencyTest, AbandonFreesTheKey) {
  std::string hash = infra::BodyHash("body");
  EXPECT_EQ(Begin("k", hash).kind, Kind::kClaimed);
  RunSync(store_->Abandon(user_, "k"));
  EXPECT_EQ(Begin("k", hash).kind, Kind::kClaimed);
}

boost::asio::awaitable<void> BeginInto(infra::IdempotencyStore& store, const std::string& user,
                                       const std::string& hash, std::atomic<int>& claimed,
                                       std::atomic<int>& in_progress) {
  std::string key = "same-key";
  const std::string& local_user = user;
  const std::string& local_hash = hash;
  auto claim = co_await store.Begin(local_user, key, local_hash);
  if (claim.kind == Kind::kClaimed) ++claimed;
  if (claim.kind == Kind::kInProgress) ++in_progress;
}

TEST_F(IdempotencyTest, ConcurrentBeginsClaimExactlyOnce) {
  std::string hash = infra::BodyHash("body");
  std::atomic<int> claimed{0};
  std::atomic<int> in_progress{0};
  boost::asio::io_context io(2);
  for (int i = 0; i < 10; ++i) {
    boost::asio::co_spawn(io, BeginInto(*store_, user_, hash, claimed, in_progress),
                          boost::asio::detached);
  }
  std::thread second([&io] { io.run(); });
  io.run();
  second.join();
  EXPECT_EQ(claimed.load(), 1);
  EXPECT_EQ(in_progress.load(), 9);
}

TEST_F(IdempotencyTest, RedisDownIsReportedAsUnavailable) {
  server_->Stop();
  EXPECT_EQ(Begin("k", infra::BodyHash("body")).kind, Kind::kUnavailable);
}

// A value under the key that this code did not write (or no longer reads) is never read
// unchecked: not a claim answers "in progress"; a response that cannot be replayed leaves the
// answer to PostgreSQL (as with Redis down).
TEST_F(IdempotencyTest, AMalformedValueIsInProgressOrLeftToPostgres) {
  std::string hash = infra::BodyHash("body");
  auto put = [&](const std::string& key, const std::string& value) {
    auto set = RunSync(redis_->Execute1({"SET", "idem:" + user_ + ":" + key, value}));
    ASSERT_TRUE(set.has_value());
  };
  put("not-json", "{not json");
  EXPECT_EQ(Begin("not-json", hash).kind, Kind::kInProgress);
  put("hash-a-number", R"({"state":"done","hash":5})");
  EXPECT_EQ(Begin("hash-a-number", hash).kind, Kind::kInProgress);
  put("no-body", R"({"state":"done","hash":")" + hash + R"(","status":201})");
  EXPECT_EQ(Begin("no-body", hash).kind, Kind::kUnavailable);
  put("bad-header",
      R"({"state":"done","hash":")" + hash + R"(","status":201,"body":"{}","headers":{"ETag":1}})");
  EXPECT_EQ(Begin("bad-header", hash).kind, Kind::kUnavailable);
}

}  // namespace
}  // namespace tasks::itest
