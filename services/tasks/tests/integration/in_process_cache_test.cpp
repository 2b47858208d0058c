// In-process task copies (InProcessTaskCache) kept coherent by Redis invalidation announcements,
// with two "replicas" (each its own Redis client, listener and copies) on a redis-server child:
// hot reads skip Redis, and a read after a write through the other replica never sees the old
// state.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "infra/redis/in_process_task_cache.hpp"
#include "infra/redis/redis_task_cache.hpp"
#include "platform/redis/client.hpp"
#include "platform/redis/invalidation_listener.hpp"
#include "tasks_test_env.hpp"

namespace tasks::itest {
namespace {

using domain::Task;

// Replica: what one tasks process holds for its cache.
struct Replica {
  explicit Replica(int port)
      : redis("127.0.0.1", port, 2, 250ms),
        listener(
            "127.0.0.1", port, {"task:"},
            [this](const std::vector<std::string>& keys) { copies.Erase(keys); },
            [this] { copies.Clear(); }),
        cache(redis, std::chrono::seconds(300), &copies, &listener) {
    listener.Start();
  }
  ~Replica() { listener.Stop(); }

  platform::redis::Client redis;
  infra::InProcessTaskCache copies;
  platform::redis::InvalidationListener listener;
  infra::RedisTaskCache cache;
};

class InProcessCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<RedisServer>();
    auto failed = server_->Start();
    ASSERT_FALSE(failed.has_value()) << *failed;
    a_ = std::make_unique<Replica>(server_->port());
    b_ = std::make_unique<Replica>(server_->port());
    ASSERT_TRUE(Eventually([&] { return a_->listener.Current() && b_->listener.Current(); }, 5s));
    owner_ = platform::NewUuidV7();
  }
  void TearDown() override {
    a_.reset();
    b_.reset();
    server_.reset();
  }

  static std::optional<Task> Get(Replica& r, const Task& t) {
    auto got = RunSync(r.cache.Get(t.owner_id, t.id));
    EXPECT_TRUE(got.has_value()) << got.error().detail;
    return got ? *got : std::nullopt;
  }
  static void Put(Replica& r, const Task& t) {
    auto put = RunSync(r.cache.Put(t));
    EXPECT_TRUE(put.has_value()) << put.error().detail;
  }
  std::int64_t HgetCalls() {
    auto info = RunSync(a_->redis.Execute1({"INFO", "commandstats"}));
    EXPECT_TRUE(info.has_value());
    if (!info) return -1;
    auto at = info->text.find("cmdstat_hget:calls=");
    if (at == std::string::npos) return 0;
    return std::stoll(info->text.substr(at + 19));
  }

  std::unique_ptr<RedisServer> server_;
  std::unique_ptr<Replica> a_;
  std::unique_ptr<Replica> b_;
  std::string owner_;
};

TEST_F(InProcessCacheTest, RepeatedReadsAreServedInProcessWithoutAskingRedis) {
  Task t = MakeTask(owner_, "hot");
  Put(*a_, t);
  // The write's own announcement may still be in flight at the first read, which then does
  // not copy what it read; a later read does.
  ASSERT_TRUE(Eventually([&] { return Get(*a_, t).has_value() && a_->copies.Size() == 1; }, 2s));
  auto before = HgetCalls();
  for (int i = 0; i < 100; ++i) {
    auto got = Get(*a_, t);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->version, t.version);
  }
  EXPECT_EQ(HgetCalls(), before);
}

TEST_F(InProcessCacheTest, ReadAfterAWriteThroughAnotherReplicaSeesTheNewVersion) {
  Task t = MakeTask(owner_, "moving");
  Put(*a_, t);
  // Busy threads on every core: the listener's thread is then often not running when the
  // announcement arrives, the case in which only the socket check keeps a stale copy out.
  std::atomic<bool> busy{true};
  std::vector<std::jthread> hogs;
  for (unsigned i = 0; i < std::max(2u, std::thread::hardware_concurrency()); ++i) {
    hogs.emplace_back([&busy] {
      while (busy.load(std::memory_order_relaxed)) {
      }
    });
  }
  struct StopHogs {
    std::atomic<bool>& busy;
    ~StopHogs() { busy = false; }
  } stop_hogs{busy};
  std::size_t held = 0;  // iterations in which A really held a copy when B wrote
  for (int i = 0; i < 300; ++i) {
    auto seen = Get(*a_, t);  // A holds version v in process (copied on an earlier read)
    ASSERT_TRUE(seen.has_value());
    ASSERT_EQ(seen->version, t.version);
    held += a_->copies.Size();
    ++t.version;
    t.title = "moving " + std::to_string(i);
    Put(*b_, t);  // B writes v + 1; its reply means Redis has announced the change
    auto after = Get(*a_, t);
    ASSERT_TRUE(after.has_value());
    ASSERT_EQ(after->version, t.version) << "iteration " << i;
    ASSERT_EQ(after->title, t.title);
  }
  EXPECT_GT(held, 200u);
}

TEST_F(InProcessCacheTest, ADeleteThroughAnotherReplicaIsSeenAtOnce) {
  Task t = MakeTask(owner_, "doomed");
  Put(*a_, t);
  ASSERT_TRUE(Get(*a_, t).has_value());
  ASSERT_TRUE(RunSync(b_->cache.Forget(t.owner_id, t.id)).has_value());
  EXPECT_FALSE(Get(*a_, t).has_value());
}

TEST_F(InProcessCacheTest, ACopyEndsWithTheTasksExpiry) {
  Task t = MakeTask(owner_, "short-lived");
  t.expires_at = Now() + 300ms;
  Put(*a_, t);
  ASSERT_TRUE(Get(*a_, t).has_value());
  ASSERT_TRUE(Eventually([&] { return Now() > *t.expires_at; }, 2s));
  EXPECT_FALSE(Get(*a_, t).has_value());
}

TEST_F(InProcessCacheTest, WithRedisStoppedNoCopyIsServedAndCopiesAreDroppedOnReconnect) {
  Task t = MakeTask(owner_, "cut off");
  Put(*a_, t);
  ASSERT_TRUE(Get(*a_, t).has_value());
  ASSERT_EQ(a_->copies.Size(), 1u);
  server_->Stop();
  ASSERT_TRUE(Eventually([&] { return !a_->listener.Current(); }, 5s));
  // Changes may be happening unseen: the copy must not be served, the read fails over instead.
  auto got = RunSync(a_->cache.Get(t.owner_id, t.id));
  EXPECT_FALSE(got.has_value());
  EXPECT_EQ(a_->copies.Size(), 0u);

  auto restarted = server_->Start();
  ASSERT_FALSE(restarted.has_value()) << *restarted;
  ASSERT_TRUE(Eventually([&] { return a_->listener.Current(); }, 10s));
  EXPECT_EQ(a_->copies.Size(), 0u);
}

}  // namespace
}  // namespace tasks::itest
