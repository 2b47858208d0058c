// Task use cases against in-memory fakes of their ports.

#include <utility>

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include "platform/testing/run_sync.hpp"

#include <functional>
#include <map>
#include <tuple>
#include <variant>

#include "app/use_cases.hpp"
#include "infra/events/task_events.hpp"

namespace tasks::app {
namespace {

using platform::Error;
using platform::ErrorKind;
using platform::Result;

using platform::testing::RunSync;

struct FakeRepository : TaskRepository {
  std::map<std::string, domain::Task> tasks;
  OwnerSettings settings;
  int updates = 0;
  int lost_races_to_simulate = 0;  // Update reports a lost race this many times first
  std::vector<std::string> events;

  Async<void> Insert(domain::Task task, std::string) override {
    tasks[task.id] = task;
    events.emplace_back("todo.task.created");
    co_return Result<void>{};
  }
  // (owner, key) -> body hash and first response, as idempotency_keys holds them.
  std::map<std::pair<std::string, std::string>, std::pair<std::string, FirstResponse>> keys;
  Result<std::optional<FirstResponse>> Lookup(const std::string& owner,
                                              const IdempotencyKey& key) const {
    auto it = keys.find({owner, key.key});
    if (it == keys.end()) return std::optional<FirstResponse>{};
    if (it->second.first != key.body_hash) {
      return std::unexpected(Error::Unprocessable("another body"));
    }
    return std::optional(it->second.second);
  }
  Async<std::optional<FirstResponse>> InsertOnce(domain::Task task, std::string,
                                                 IdempotencyKey key) override {
    auto found = Lookup(task.owner_id, key);
    if (!found || *found) co_return found;
    keys[{task.owner_id, key.key}] = {key.body_hash,
                                      FirstResponse{task.id, task.version, task.title}};
    tasks[task.id] = task;
    events.emplace_back("todo.task.created");
    co_return std::optional<FirstResponse>{};
  }
  Async<std::optional<FirstResponse>> FindFirstResponse(std::string owner,
                                                        IdempotencyKey key) override {
    co_return Lookup(owner, key);
  }
  Async<std::optional<domain::Task>> Find(std::string owner, std::string id) override {
    auto it = tasks.find(id);
    if (it == tasks.end() || it->second.owner_id != owner) {
      co_return std::optional<domain::Task>{};
    }
    co_return std::optional(it->second);
  }
  int lists = 0;
  Async<Page> List(ListQuery) override {
    ++lists;
    co_return Page{};
  }
  Async<bool> Update(domain::Task task, std::int64_t expected, domain::TaskChange change,
                     std::string) override {
    ++updates;
    if (lost_races_to_simulate > 0) {
      --lost_races_to_simulate;
      tasks[task.id].version += 1;  // someone else wrote meanwhile
      co_return false;
    }
    if (tasks[task.id].version != expected) co_return false;
    tasks[task.id] = task;
    events.emplace_back(infra::TaskChangeEvent(change));
    co_return true;
  }
  Async<bool> Delete(std::string owner, std::string id, std::optional<std::int64_t> expected,
                     std::string) override {
    auto it = tasks.find(id);
    if (it == tasks.end() || it->second.owner_id != owner) co_return false;
    if (expected && it->second.version != *expected) co_return false;
    tasks.erase(it);
    events.emplace_back("todo.task.deleted");
    if (after_delete) after_delete();
    co_return true;
  }
  std::function<void()> after_delete;  // runs once a delete has "committed"
  Async<OwnerSettings> Settings(std::string) override { co_return settings; }
};

struct FakeCache : TaskCache {
  std::map<std::string, domain::Task> entries;
  bool broken = false;
  int hits = 0;
  Async<std::optional<domain::Task>> Get(std::string, std::string id) override {
    if (broken) co_return std::unexpected(Error::Unavailable("cache unavailable"));
    auto it = entries.find(id);
    if (it == entries.end()) co_return std::optional<domain::Task>{};
    ++hits;
    co_return std::optional(it->second);
  }
  bool drop_puts = false;  // a process killed between a write's commit and its Put
  Async<void> Put(domain::Task task) override {
    if (broken) co_return std::unexpected(Error::Unavailable("cache unavailable"));
    if (drop_puts) co_return Result<void>{};
    entries[task.id] = task;
    co_return Result<void>{};
  }
  Async<void> Forget(std::string, std::string id) override {
    if (broken) co_return std::unexpected(Error::Unavailable("cache unavailable"));
    entries.erase(id);
    co_return Result<void>{};
  }
  std::vector<std::int64_t> holds;
  Async<void> Hold(std::string, std::string id, std::int64_t version) override {
    if (broken) co_return std::unexpected(Error::Unavailable("cache unavailable"));
    holds.push_back(version);
    entries.erase(id);
    co_return Result<void>{};
  }
  int list_bumps = 0;
  Async<void> BumpLists(std::string) override {
    ++list_bumps;
    co_return Result<void>{};
  }
};

// Pages by (owner, version, query), and each owner's list version.
struct FakePageCache : ListPageCache {
  std::map<std::string, std::string> versions;
  std::map<std::tuple<std::string, std::string, std::string>, std::string> pages;
  bool broken = false;
  Async<CachedPage> GetPage(std::string owner, std::string query_key) override {
    if (broken) co_return std::unexpected(Error::Unavailable("cache unavailable"));
    std::string version = versions.contains(owner) ? versions[owner] : "0";
    auto it = pages.find({owner, version, query_key});
    if (it == pages.end()) co_return CachedPage{version, std::nullopt};
    co_return CachedPage{version, it->second};
  }
  Async<void> PutPage(std::string owner, std::string version, std::string query_key,
                      std::string body) override {
    if (broken) co_return std::unexpected(Error::Unavailable("cache unavailable"));
    pages[{owner, version, query_key}] = std::move(body);
    co_return Result<void>{};
  }
};

struct FakeEnvironment : Environment {
  int ids = 0;
  domain::Time now = domain::Time(std::chrono::milliseconds(1'800'000'000'000));
  std::string NewId() override {
    char buf[40];
    std::snprintf(buf, sizeof buf, "00000000-0000-7000-8000-%012d", ++ids);
    return buf;
  }
  domain::Time Now() override { return now; }
};

class TaskUseCases : public ::testing::Test {
 protected:
  FakeRepository repository_;
  FakeCache cache_;
  FakeEnvironment env_;
  TaskDeps deps_{repository_, cache_, env_};
  Actor alice_{"alice", "req-1"};
  Actor bob_{"bob", "req-2"};

  domain::Task Create(std::string title = "Tadarus juz 5") {
    domain::TaskDraft draft;
    draft.title = std::move(title);
    auto task = RunSync(CreateTask(deps_, alice_, draft));
    EXPECT_TRUE(task.has_value()) << (task ? "" : task.error().detail);
    return *task;
  }
};

TEST_F(TaskUseCases, CreateAppliesTheOwnersDefaultTtl) {
  repository_.settings.default_task_ttl_seconds = 3600;
  auto task = Create();
  ASSERT_TRUE(task.expires_at.has_value());
  EXPECT_EQ(*task.expires_at, env_.now + std::chrono::seconds(3600));
  EXPECT_EQ(repository_.events, std::vector<std::string>{"todo.task.created"});
}

TEST_F(TaskUseCases, KeyedCreateInsertsOnceAndThenReturnsTheFirstResponse) {
  domain::TaskDraft draft;
  draft.title = "once";
  IdempotencyKey key{"k-1", "hash-a"};
  auto first = RunSync(CreateTaskOnce(deps_, alice_, draft, key));
  ASSERT_TRUE(first.has_value()) << first.error().detail;
  ASSERT_TRUE(std::holds_alternative<domain::Task>(*first));
  auto id = std::get<domain::Task>(*first).id;
  auto again = RunSync(CreateTaskOnce(deps_, alice_, draft, key));
  ASSERT_TRUE(again.has_value()) << again.error().detail;
  ASSERT_TRUE(std::holds_alternative<FirstResponse>(*again));
  EXPECT_EQ(std::get<FirstResponse>(*again).task_id, id);
  EXPECT_EQ(repository_.tasks.size(), 1u);
  EXPECT_EQ(RunSync(CreateTaskOnce(deps_, alice_, draft, {"k-1", "hash-b"})).error().kind,
            ErrorKind::kUnprocessable);
  EXPECT_EQ(repository_.tasks.size(), 1u);
}

// A retry whose body no longer passes the rules (its expires_at has passed since the first
// create) still gets the first response: the key's record answers before the refusal.
TEST_F(TaskUseCases, KeyedRetryRefusedByTheRulesNowStillGetsTheFirstResponse) {
  domain::TaskDraft draft;
  draft.title = "expiring";
  draft.expires_at = env_.now + std::chrono::minutes(1);
  IdempotencyKey key{"k-exp", "hash-a"};
  auto first = RunSync(CreateTaskOnce(deps_, alice_, draft, key));
  ASSERT_TRUE(first.has_value()) << first.error().detail;
  env_.now += std::chrono::hours(1);
  auto alone = RunSync(CreateTask(deps_, alice_, draft));
  ASSERT_FALSE(alone.has_value());
  EXPECT_EQ(alone.error().kind, ErrorKind::kValidation);
  auto again = RunSync(CreateTaskOnce(deps_, alice_, draft, key));
  ASSERT_TRUE(again.has_value()) << again.error().detail;
  ASSERT_TRUE(std::holds_alternative<FirstResponse>(*again));
  EXPECT_EQ(std::get<FirstResponse>(*again).task_id, std::get<domain::Task>(*first).id);
  // Another body under the key is still 422, an unused key gets the rules' refusal.
  EXPECT_EQ(RunSync(CreateTaskOnce(deps_, alice_, draft, {"k-exp", "hash-b"})).error().kind,
            ErrorKind::kUnprocessable);
  EXPECT_EQ(RunSync(CreateTaskOnce(deps_, alice_, draft, {"k-new", "hash-a"})).error().kind,
            ErrorKind::kValidation);
  EXPECT_EQ(repository_.tasks.size(), 1u);
}

TEST_F(TaskUseCases, AnotherUsersTaskIsNotFoundForEveryVerb) {
  auto task = Create();
  cache_.entries.clear();
  EXPECT_EQ(RunSync(GetTask(deps_, bob_, task.id)).error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(RunSync(CompleteTask(deps_, bob_, task.id, std::nullopt)).error().kind,
            ErrorKind::kNotFound);
  EXPECT_EQ(RunSync(DeleteTask(deps_, bob_, task.id, std::nullopt)).error().kind,
            ErrorKind::kNotFound);
  EXPECT_TRUE(repository_.tasks.contains(task.id));
}

TEST_F(TaskUseCases, GetIsServedFromTheCacheWhenPresent) {
  auto task = Create();
  auto got = RunSync(GetTask(deps_, alice_, task.id));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(cache_.hits, 1);
}

TEST_F(TaskUseCases, BrokenCacheDoesNotBreakReadsOrWrites) {
  cache_.broken = true;
  auto task = Create();
  auto got = RunSync(GetTask(deps_, alice_, task.id));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->id, task.id);
  auto done = RunSync(CompleteTask(deps_, alice_, task.id, std::nullopt));
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->status, domain::Status::kDone);
}

TEST_F(TaskUseCases, StaleIfMatchIsAPreconditionFailureAndWritesNothing) {
  auto task = Create();
  auto result = RunSync(CompleteTask(deps_, alice_, task.id, std::int64_t{7}));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, ErrorKind::kPreconditionFailed);
  EXPECT_EQ(repository_.updates, 0);
}

TEST_F(TaskUseCases, LostRaceWithoutIfMatchIsRetriedOnFreshState) {
  auto task = Create();
  repository_.lost_races_to_simulate = 2;
  auto result = RunSync(CompleteTask(deps_, alice_, task.id, std::nullopt));
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(repository_.updates, 3);
  EXPECT_EQ(result->version, 4);  // two foreign writes, then ours
}

TEST_F(TaskUseCases, LostRaceWithIfMatchIsAPreconditionFailure) {
  auto task = Create();
  repository_.lost_races_to_simulate = 1;
  auto result = RunSync(CompleteTask(deps_, alice_, task.id, task.version));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, ErrorKind::kPreconditionFailed);
}

TEST_F(TaskUseCases, CompletingADoneTaskWritesNothing) {
  auto task = Create();
  ASSERT_TRUE(RunSync(CompleteTask(deps_, alice_, task.id, std::nullopt)).has_value());
  int before = repository_.updates;
  auto again = RunSync(CompleteTask(deps_, alice_, task.id, std::nullopt));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(repository_.updates, before);
  EXPECT_EQ(repository_.events.back(), "todo.task.completed");
}

TEST_F(TaskUseCases, WriteRefreshesTheCacheSoAReadSeesTheNewState) {
  auto task = Create();
  domain::TaskPatch patch;
  patch.title = {true, std::string("Tadarus juz 6")};
  auto patched = RunSync(PatchTask(deps_, alice_, task.id, patch, std::nullopt));
  ASSERT_TRUE(patched.has_value());
  auto got = RunSync(GetTask(deps_, alice_, task.id));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->title, "Tadarus juz 6");
  EXPECT_EQ(got->version, 2);
  EXPECT_EQ(cache_.list_bumps, 2);  // the create and the patch
}

// The fault suite's kill -9 of tasks between a PATCH's commit and its cache refresh left the
// old version cached for the cache's lifetime: the write now holds the entry before it commits.
TEST_F(TaskUseCases, ACrashBetweenAWritesCommitAndItsCacheRefreshLeavesNoOldStateCached) {
  auto task = Create();
  ASSERT_TRUE(RunSync(GetTask(deps_, alice_, task.id)).has_value());
  ASSERT_TRUE(cache_.entries.contains(task.id));
  cache_.drop_puts = true;
  domain::TaskPatch patch;
  patch.title = {true, std::string("committed, then the process died")};
  ASSERT_TRUE(RunSync(PatchTask(deps_, alice_, task.id, patch, std::nullopt)).has_value());
  EXPECT_EQ(cache_.holds, std::vector<std::int64_t>{2});
  cache_.drop_puts = false;
  auto got = RunSync(GetTask(deps_, alice_, task.id));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->version, 2);
  EXPECT_EQ(got->title, "committed, then the process died");
}

TEST_F(TaskUseCases, ACrashRightAfterADeleteCommitsLeavesNoDeletedTaskCached) {
  auto task = Create();
  ASSERT_TRUE(RunSync(GetTask(deps_, alice_, task.id)).has_value());
  ASSERT_TRUE(cache_.entries.contains(task.id));
  repository_.after_delete = [this] { cache_.broken = true; };  // nothing reaches the cache after
  ASSERT_TRUE(RunSync(DeleteTask(deps_, alice_, task.id, std::nullopt)).has_value());
  cache_.broken = false;
  EXPECT_FALSE(cache_.entries.contains(task.id));
  auto got = RunSync(GetTask(deps_, alice_, task.id));
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().kind, ErrorKind::kNotFound);
}

TEST_F(TaskUseCases, DeleteWithStaleIfMatchKeepsTheTask) {
  auto task = Create();
  auto result = RunSync(DeleteTask(deps_, alice_, task.id, std::int64_t{9}));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, ErrorKind::kPreconditionFailed);
  EXPECT_TRUE(repository_.tasks.contains(task.id));
  ASSERT_TRUE(RunSync(DeleteTask(deps_, alice_, task.id, task.version)).has_value());
  EXPECT_FALSE(repository_.tasks.contains(task.id));
  EXPECT_FALSE(cache_.entries.contains(task.id));
}

TEST_F(TaskUseCases, ChecklistItemsDriveProgress) {
  auto task = Create();
  auto with_one = RunSync(AddChecklistItem(deps_, alice_, task.id, "read", std::nullopt));
  ASSERT_TRUE(with_one.has_value());
  auto with_two = RunSync(AddChecklistItem(deps_, alice_, task.id, "recite", std::nullopt));
  ASSERT_TRUE(with_two.has_value());
  auto item = with_two->checklist.front().id;
  auto ticked =
      RunSync(UpdateChecklistItem(deps_, alice_, task.id, item, std::nullopt, true, std::nullopt));
  ASSERT_TRUE(ticked.has_value());
  EXPECT_EQ(ticked->progress, 50);
  EXPECT_EQ(ticked->status, domain::Status::kInProgress);
}

// The list page use case: a rendered page is served again until the owner's lists move.
class ListPageUseCase : public TaskUseCases {
 protected:
  FakePageCache pages_;
  int renders_ = 0;
  RenderPage render_ = [this](const Page& page) {
    ++renders_;
    return "page of " + std::to_string(page.items.size()) + " #" + std::to_string(renders_);
  };
  Result<std::string> List(std::string query_key = "q") {
    ListQuery query;
    query.owner_id = alice_.user_id;
    return RunSync(ListTaskPage(deps_, pages_, query, std::move(query_key), render_));
  }
};

TEST_F(ListPageUseCase, AMissReadsTheRepositoryAndCachesThePageUnderTheListVersion) {
  auto body = List();
  ASSERT_TRUE(body.has_value());
  EXPECT_EQ(*body, "page of 0 #1");
  EXPECT_EQ(repository_.lists, 1);
  ASSERT_TRUE(pages_.pages.contains({"alice", "0", "q"}));
  EXPECT_EQ((pages_.pages[{"alice", "0", "q"}]), "page of 0 #1");
}

TEST_F(ListPageUseCase, AHitIsServedFromTheCacheWithoutTheRepository) {
  ASSERT_TRUE(List().has_value());
  auto again = List();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*again, "page of 0 #1");
  EXPECT_EQ(repository_.lists, 1);
  EXPECT_EQ(renders_, 1);
  auto other = List("other");  // another query is another page
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(repository_.lists, 2);
}

TEST_F(ListPageUseCase, AMovedListVersionReadsTheRepositoryAgain) {
  ASSERT_TRUE(List().has_value());
  pages_.versions["alice"] = "1";
  auto body = List();
  ASSERT_TRUE(body.has_value());
  EXPECT_EQ(*body, "page of 0 #2");
  EXPECT_EQ(repository_.lists, 2);
  EXPECT_TRUE(pages_.pages.contains({"alice", "1", "q"}));
}

TEST_F(ListPageUseCase, ABrokenCacheCostsOnlyTheRepositoryRead) {
  pages_.broken = true;
  auto body = List();
  ASSERT_TRUE(body.has_value());
  EXPECT_EQ(*body, "page of 0 #1");
  EXPECT_EQ(repository_.lists, 1);
  EXPECT_TRUE(pages_.pages.empty());
}

}  // namespace
}  // namespace tasks::app
