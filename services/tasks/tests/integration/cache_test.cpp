// RedisTaskCache against a redis-server child of its own: version-checked writes, tombstones,
// entries that end with the task's expiry (PXAT), list versions (and their expiry), erasing an
// owner's entries, and Redis down.

#include "app/use_cases.hpp"
#include "infra/pg/pg_task_repository.hpp"
#include "infra/redis/redis_task_cache.hpp"
#include "platform/pg/pool.hpp"
#include "platform/redis/client.hpp"
#include "tasks_test_env.hpp"

namespace tasks::itest {
namespace {

using domain::Task;

class CacheTest : public TasksDbTest {
 protected:
  void SetUp() override {
    TasksDbTest::SetUp();
    if (HasFatalFailure()) return;
    server_ = std::make_unique<RedisServer>();
    auto failed = server_->Start();
    ASSERT_FALSE(failed.has_value()) << *failed;
    redis_ = std::make_unique<platform::redis::Client>("127.0.0.1", server_->port(), 2, 250ms);
    cache_ = std::make_unique<infra::RedisTaskCache>(*redis_, std::chrono::seconds(300));
    owner_ = platform::NewUuidV7();
  }
  void TearDown() override {
    cache_.reset();
    redis_.reset();
    server_.reset();
    TasksDbTest::TearDown();
  }

  std::optional<Task> Get(const Task& t) {
    auto got = RunSync(cache_->Get(t.owner_id, t.id));
    EXPECT_TRUE(got.has_value()) << got.error().detail;
    return got ? *got : std::nullopt;
  }
  void Put(const Task& t) {
    auto put = RunSync(cache_->Put(t));
    EXPECT_TRUE(put.has_value()) << put.error().detail;
  }
  platform::redis::Reply Raw(platform::redis::Command command) {
    auto reply = RunSync(redis_->Execute1(std::move(command)));
    EXPECT_TRUE(reply.has_value()) << reply.error().detail;
    return reply ? *reply : platform::redis::Reply{};
  }
  std::string Key(const Task& t) { return "task:" + t.owner_id + ":" + t.id; }

  Task Rich() {
    Task t = MakeTask(owner_, "cached \"task\" ü");
    t.labels = {"a", "b"};
    t.checklist = {{"i1", "step", true}};
    t.progress = 100;
    t.due_at = Now() + 1h;
    t.expires_at = Now() + 2h;
    t.version = 4;
    return t;
  }

  std::unique_ptr<RedisServer> server_;
  std::unique_ptr<platform::redis::Client> redis_;
  std::unique_ptr<infra::RedisTaskCache> cache_;
  std::string owner_;
};

TEST_F(CacheTest, PutThenGetReturnsTheTask) {
  Task t = Rich();
  EXPECT_FALSE(Get(t).has_value());
  Put(t);
  auto got = Get(t);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(Describe(*got), Describe(t));
  Task other_owner = t;
  other_owner.owner_id = platform::NewUuidV7();
  EXPECT_FALSE(Get(other_owner).has_value());
}

TEST_F(CacheTest, AnOlderVersionNeverReplacesANewerOne) {
  Task v3 = Rich();
  v3.version = 3;
  v3.title = "third";
  Task v2 = v3;
  v2.version = 2;
  v2.title = "second";
  Put(v3);
  Put(v2);
  auto got = Get(v3);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->version, 3);
  EXPECT_EQ(got->title, "third");
  Task v4 = v3;
  v4.version = 4;
  v4.title = "fourth";
  Put(v4);
  EXPECT_EQ(Get(v3)->title, "fourth");
}

TEST_F(CacheTest, ForgetLeavesATombstoneThatAnOldPutCannotResurrect) {
  Task t = Rich();
  Put(t);
  auto forgot = RunSync(cache_->Forget(t.owner_id, t.id));
  ASSERT_TRUE(forgot.has_value());
  EXPECT_FALSE(Get(t).has_value());
  Put(t);  // a slow read-through fill of the state before the delete
  Task newer = t;
  newer.version += 10;
  Put(newer);
  EXPECT_FALSE(Get(t).has_value());
  EXPECT_EQ(Raw({"EXISTS", Key(t)}).integer, 1);  // the tombstone itself is there
  EXPECT_GT(Raw({"PTTL", Key(t)}).integer, 0);    // and ends on its own
}

// A write holds the entry at its new version before it commits: from then on the old state is
// not served (a crash after the commit cannot leave it cached), a slow fill of the old state is
// refused, and the new version (the writer's Put, or a reader's fill) replaces the hold.
TEST_F(CacheTest, AHoldHidesTheOldStateUntilTheNewVersionIsCached) {
  Task t = Rich();
  Put(t);
  ASSERT_TRUE(Get(t).has_value());
  auto held = RunSync(cache_->Hold(t.owner_id, t.id, t.version + 1));
  ASSERT_TRUE(held.has_value());
  EXPECT_FALSE(Get(t).has_value());
  Put(t);  // a read-through fill of the state before the write
  EXPECT_FALSE(Get(t).has_value());
  auto again = RunSync(cache_->Hold(t.owner_id, t.id, t.version + 1));  // a retried write
  ASSERT_TRUE(again.has_value());
  Task newer = t;
  newer.version += 1;
  newer.title = "after the write";
  Put(newer);
  auto got = Get(t);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->version, newer.version);
  EXPECT_EQ(got->title, "after the write");
  // The hold itself ends within seconds when nobody replaces it (a writer that died).
  auto later = RunSync(cache_->Hold(t.owner_id, t.id, newer.version + 1));
  ASSERT_TRUE(later.has_value());
  auto ttl = Raw({"PTTL", Key(t)}).integer;
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 5000);
}

TEST_F(CacheTest, EntryEndsNoLaterThanTheTasksExpiry) {
  Task t = MakeTask(owner_, "short-lived");
  t.expires_at = Now() + 300ms;
  Put(t);
  EXPECT_EQ(Raw({"EXISTS", Key(t)}).integer, 1);
  auto pttl = Raw({"PTTL", Key(t)}).integer;
  EXPECT_GT(pttl, 0);
  EXPECT_LE(pttl, 300);
  ASSERT_TRUE(Eventually([&] { return Raw({"EXISTS", Key(t)}).integer == 0; }, 3s));
  auto late = Now() - *t.expires_at;
  EXPECT_LT(late, 100ms) << "the entry outlived the task's expiry";
  EXPECT_FALSE(Get(t).has_value());

  // A done task never expires: its entry keeps the cache lifetime.
  Task done = MakeTask(owner_, "done");
  done.status = domain::Status::kDone;
  done.progress = 100;
  done.completed_at = Now();
  done.expires_at = Now() + 300ms;
  Put(done);
  EXPECT_GT(Raw({"PTTL", Key(done)}).integer, 10'000);

  // Already past its expiry: only a brief tombstone, nothing readable.
  Task overdue = MakeTask(owner_, "overdue");
  overdue.expires_at = Now() - 1s;
  Put(overdue);
  EXPECT_FALSE(Get(overdue).has_value());
}

TEST_F(CacheTest, BumpListsMovesTheListVersionSoOldPagesAreNotRead) {
  auto page = RunSync(cache_->GetPage(owner_, "q1"));
  ASSERT_TRUE(page.has_value()) << page.error().detail;
  EXPECT_FALSE(page->body.has_value());
  ASSERT_TRUE(RunSync(cache_->PutPage(owner_, page->version, "q1", "{\"items\":[]}")));
  auto cached = RunSync(cache_->GetPage(owner_, "q1"));
  ASSERT_TRUE(cached.has_value());
  EXPECT_EQ(cached->body, "{\"items\":[]}");
  ASSERT_TRUE(RunSync(cache_->BumpLists(owner_)));
  auto after = RunSync(cache_->GetPage(owner_, "q1"));
  ASSERT_TRUE(after.has_value());
  EXPECT_NE(after->version, page->version);
  EXPECT_FALSE(after->body.has_value());
}

// A list version that never expired would stay in Redis for every owner who ever wrote; it
// must outlive the pages stored under it, so its TTL is at least a page's.
TEST_F(CacheTest, ListVersionsExpireWhetherAWriteOrTheExpirySchedulerMovesThem) {
  ASSERT_TRUE(RunSync(cache_->BumpLists(owner_)));
  auto page = RunSync(cache_->GetPage(owner_, "q1"));
  ASSERT_TRUE(page.has_value()) << page.error().detail;
  ASSERT_TRUE(RunSync(cache_->PutPage(owner_, page->version, "q1", "{\"items\":[]}")));
  auto page_ttl = Raw({"TTL", "tasks:page:" + owner_ + ":" + page->version + ":q1"});
  auto written_ttl = Raw({"TTL", "tasks:listver:" + owner_});
  EXPECT_GT(page_ttl.integer, 0);
  EXPECT_GE(written_ttl.integer, page_ttl.integer);
  EXPECT_LE(written_ttl.integer, 86400);

  // The scheduler's bump, from a plain thread, for several owners at once.
  std::string other = platform::NewUuidV7();
  cache_->BumpListsNow({owner_, other});
  EXPECT_EQ(Raw({"GET", "tasks:listver:" + owner_}).text, "2");
  EXPECT_EQ(Raw({"GET", "tasks:listver:" + other}).text, "1");
  for (const auto& owner : {owner_, other}) {
    auto ttl = Raw({"TTL", "tasks:listver:" + owner});
    EXPECT_GE(ttl.integer, page_ttl.integer) << owner;
    EXPECT_LE(ttl.integer, 86400) << owner;
  }
}

TEST_F(CacheTest, ForgetOwnerDropsEveryCachedTaskOfTheOwnerAndNoOther) {
  Task first = Rich();
  Task second = MakeTask(owner_, "second");
  Task someone_elses = MakeTask(platform::NewUuidV7(), "not theirs");
  for (const Task& t : {first, second, someone_elses}) Put(t);
  cache_->ForgetOwnerNow(owner_);
  EXPECT_EQ(Raw({"EXISTS", Key(first)}).integer, 0);
  EXPECT_EQ(Raw({"EXISTS", Key(second)}).integer, 0);
  EXPECT_EQ(Raw({"EXISTS", Key(someone_elses)}).integer, 1);
}

TEST_F(CacheTest, WithRedisStoppedCacheCallsFailAndGetTaskServesFromTheRepository) {
  pg::Pool pool(Conninfo(), 2);
  infra::PgTaskRepository repo(pool);
  SystemEnvironment env;
  app::TaskDeps deps{repo, *cache_, env};
  Task t = Rich();
  ASSERT_TRUE(RunSync(repo.Insert(t, "req")).has_value());
  server_->Stop();

  auto start = SteadyClock::now();
  auto got = RunSync(cache_->Get(t.owner_id, t.id));
  EXPECT_FALSE(got.has_value());
  auto put = RunSync(cache_->Put(t));
  EXPECT_FALSE(put.has_value());
  auto bump = RunSync(cache_->BumpLists(t.owner_id));
  EXPECT_FALSE(bump.has_value());

  app::Actor actor{t.owner_id, "req-get"};
  auto served = RunSync(app::GetTask(deps, actor, t.id));
  ASSERT_TRUE(served.has_value()) << served.error().detail;
  EXPECT_EQ(Describe(*served), Describe(t));
  auto missing = RunSync(app::GetTask(deps, actor, platform::NewUuidV7()));
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().kind, platform::ErrorKind::kNotFound);
  EXPECT_LT(SteadyClock::now() - start, 3s);  // failing fast, not waiting on Redis
}

}  // namespace
}  // namespace tasks::itest
