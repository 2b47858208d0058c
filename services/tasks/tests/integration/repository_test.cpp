// PgTaskRepository against the local PostgreSQL: round trips, optimistic concurrency, list
// filters and keyset pagination, the outbox events of every change, and the SQL renderer.

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include <boost/asio/detached.hpp>

#include "infra/json/task_json.hpp"
#include "infra/pg/pg_task_repository.hpp"
#include "platform/pg/pool.hpp"
#include "tasks_test_env.hpp"

namespace tasks::itest {
namespace {

using domain::Priority;
using domain::Status;
using domain::Task;
using domain::Time;

class RepositoryTest : public TasksDbTest {
 protected:
  void SetUp() override {
    TasksDbTest::SetUp();
    if (HasFatalFailure()) return;
    pool_ = std::make_unique<pg::Pool>(Conninfo(), 4);
    repo_ = std::make_unique<infra::PgTaskRepository>(*pool_);
    owner_ = platform::NewUuidV7();
  }
  void TearDown() override {
    repo_.reset();
    pool_.reset();
    TasksDbTest::TearDown();
  }

  void Insert(const Task& task) {
    auto inserted = RunSync(repo_->Insert(task, "req-insert"));
    ASSERT_TRUE(inserted.has_value()) << inserted.error().detail;
  }
  std::optional<Task> Find(const std::string& owner, const std::string& id) {
    auto found = RunSync(repo_->Find(owner, id));
    EXPECT_TRUE(found.has_value()) << found.error().detail;
    return found ? *found : std::nullopt;
  }
  bool Update(const Task& task, std::int64_t expected, domain::TaskChange change) {
    auto updated = RunSync(repo_->Update(task, expected, change, "req-update"));
    EXPECT_TRUE(updated.has_value()) << updated.error().detail;
    return updated && *updated;
  }
  // Every id the query lists, walking all pages; duplicates are kept so callers can see them.
  std::vector<std::string> ListAll(app::ListQuery query, int* pages = nullptr) {
    std::vector<std::string> ids;
    int walked = 0;
    for (;;) {
      auto page = RunSync(repo_->List(query));
      EXPECT_TRUE(page.has_value()) << page.error().detail;
      if (!page) return ids;
      ++walked;
      EXPECT_LE(static_cast<int>(page->items.size()), query.limit);
      for (const auto& t : page->items) {
        EXPECT_EQ(t.owner_id, query.owner_id);
        ids.push_back(t.id);
      }
      if (!page->next) break;
      EXPECT_EQ(static_cast<int>(page->items.size()), query.limit);  // a full page before more
      query.after = page->next;
      if (walked > 1000) {
        ADD_FAILURE() << "pagination does not end";
        break;
      }
    }
    if (pages != nullptr) *pages = walked;
    return ids;
  }
  std::set<std::string> ListSet(app::ListQuery query) {
    auto ids = ListAll(std::move(query));
    std::set<std::string> out(ids.begin(), ids.end());
    EXPECT_EQ(out.size(), ids.size()) << "duplicates in the listing";
    return out;
  }
  app::ListQuery Query() {
    app::ListQuery q;
    q.owner_id = owner_;
    return q;
  }

  // A task with every field set (labels and checklist with characters JSON and SQL arrays
  // treat specially, all five times).
  Task FullTask() {
    Task t = MakeTask(owner_, "Tadarus \"juz\" 5, ümlaut \\ {braces} 🌙");
    t.description = "line one\nline two\ttabbed 'quoted'";
    t.status = Status::kExpired;
    t.progress = 50;
    t.priority = Priority::kUrgent;
    t.labels = {"ramadhan", "with space", "comma,inside", "quote\"d", "{curly}", "NULL"};
    t.checklist = {{"item-1", "first \"step\"", true}, {"item-2", "second step", false}};
    t.created_at = Now() - 3h;
    t.updated_at = Now() - 1h;
    t.due_at = Now() + 24h;
    t.expires_at = Now() - 2h + 17ms;
    t.on_expire = domain::OnExpire::kDelete;
    t.completed_at = Now() - 150min;
    t.expired_at = Now() - 90min + 3ms;
    t.version = 7;
    return t;
  }

  std::unique_ptr<pg::Pool> pool_;
  std::unique_ptr<infra::PgTaskRepository> repo_;
  std::string owner_;
};

TEST_F(RepositoryTest, InsertThenFindReturnsTheSameTask) {
  Task full = FullTask();
  Insert(full);
  auto found = Find(owner_, full.id);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(Describe(*found), Describe(full));
  EXPECT_EQ(found->labels, full.labels);
  ASSERT_EQ(found->checklist.size(), 2u);
  EXPECT_EQ(found->checklist[0].text, "first \"step\"");
  EXPECT_TRUE(found->checklist[0].done);
  EXPECT_EQ(found->expires_at, full.expires_at);
  EXPECT_EQ(found->expired_at, full.expired_at);

  Task bare = MakeTask(owner_, "bare");  // every optional field empty
  Insert(bare);
  auto found_bare = Find(owner_, bare.id);
  ASSERT_TRUE(found_bare.has_value());
  EXPECT_EQ(Describe(*found_bare), Describe(bare));
  EXPECT_FALSE(found_bare->due_at.has_value());
  EXPECT_TRUE(found_bare->labels.empty());
}

TEST_F(RepositoryTest, FindWithAnotherOwnerOrAMalformedIdIsNotFound) {
  Task t = MakeTask(owner_);
  Insert(t);
  EXPECT_FALSE(Find(platform::NewUuidV7(), t.id).has_value());
  EXPECT_FALSE(Find(owner_, platform::NewUuidV7()).has_value());
  EXPECT_FALSE(Find(owner_, "not-a-uuid").has_value());
  EXPECT_TRUE(Find(owner_, t.id).has_value());
}

TEST_F(RepositoryTest, UpdateWritesOnlyAtTheExpectedVersion) {
  Task t = MakeTask(owner_);
  Insert(t);
  Task v2 = t;
  v2.title = "second";
  v2.version = 2;
  v2.updated_at = Now() + 1ms;
  EXPECT_TRUE(Update(v2, 1, domain::TaskChange::kUpdated));
  Task stale = t;
  stale.title = "lost write";
  stale.version = 2;
  EXPECT_FALSE(Update(stale, 1, domain::TaskChange::kUpdated));
  Task other_owner = v2;
  other_owner.owner_id = platform::NewUuidV7();
  other_owner.version = 3;
  EXPECT_FALSE(Update(other_owner, 2, domain::TaskChange::kUpdated));
  auto found = Find(owner_, t.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(Describe(*found), Describe(v2));
  // One created and one updated event: the refused writes left nothing in the outbox.
  EXPECT_EQ(Count("SELECT count(*) FROM outbox"), 2);
}

TEST_F(RepositoryTest, DeleteRemovesTheTaskOnceAndHonoursTheExpectedVersion) {
  Task t = MakeTask(owner_);
  Insert(t);
  auto stale = RunSync(repo_->Delete(owner_, t.id, 5, "req"));
  ASSERT_TRUE(stale);
  EXPECT_FALSE(*stale);
  auto other = RunSync(repo_->Delete(platform::NewUuidV7(), t.id, std::nullopt, "req"));
  ASSERT_TRUE(other);
  EXPECT_FALSE(*other);
  auto deleted = RunSync(repo_->Delete(owner_, t.id, 1, "req"));
  ASSERT_TRUE(deleted);
  EXPECT_TRUE(*deleted);
  EXPECT_FALSE(Find(owner_, t.id).has_value());
  auto again = RunSync(repo_->Delete(owner_, t.id, std::nullopt, "req"));
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
  auto malformed = RunSync(repo_->Delete(owner_, "nope", std::nullopt, "req"));
  ASSERT_TRUE(malformed);
  EXPECT_FALSE(*malformed);
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE subject = 'todo.task.deleted'"), 1);
}

TEST_F(RepositoryTest, ListFiltersByStatusLabelPriorityTextAndTimeBounds) {
  Time now = Now();
  Task t1 = MakeTask(owner_, "Pay 50% deposit");
  t1.priority = Priority::kHigh;
  t1.labels = {"home"};
  t1.due_at = now + 1h;
  t1.expires_at = now + 2h;
  Task t2 = MakeTask(owner_, "Pay 500 deposit");
  t2.description = "back\\slash";
  t2.status = Status::kInProgress;
  t2.progress = 50;
  t2.priority = Priority::kLow;
  t2.labels = {"work"};
  t2.due_at = now + 3h;
  Task t3 = MakeTask(owner_, "file a_b.txt");
  t3.status = Status::kDone;
  t3.progress = 100;
  t3.completed_at = now;
  t3.priority = Priority::kHigh;
  t3.labels = {"home", "work"};
  t3.expires_at = now + 5h;
  Task t4 = MakeTask(owner_, "file axb.txt");
  t4.status = Status::kExpired;
  t4.expired_at = now - 10min;
  t4.due_at = now - 1h;
  t4.expires_at = now - 30min;
  Task noise = MakeTask(platform::NewUuidV7(), "Pay 50% deposit");  // another owner's
  noise.labels = {"home"};
  noise.priority = Priority::kHigh;
  for (const Task* t : {&t1, &t2, &t3, &t4, &noise}) Insert(*t);

  using Ids = std::set<std::string>;
  auto q = Query();
  EXPECT_EQ(ListSet(q), (Ids{t1.id, t2.id, t3.id, t4.id}));
  q.statuses = {Status::kTodo, Status::kDone};
  EXPECT_EQ(ListSet(q), (Ids{t1.id, t3.id}));
  q = Query();
  q.statuses = {Status::kExpired};
  EXPECT_EQ(ListSet(q), (Ids{t4.id}));
  q = Query();
  q.label = "home";
  EXPECT_EQ(ListSet(q), (Ids{t1.id, t3.id}));
  q.statuses = {Status::kTodo};
  EXPECT_EQ(ListSet(q), (Ids{t1.id}));
  q = Query();
  q.label = "hom";  // a whole label, not a prefix
  EXPECT_EQ(ListSet(q), Ids{});
  q = Query();
  q.priority = Priority::kHigh;
  EXPECT_EQ(ListSet(q), (Ids{t1.id, t3.id}));
  q.priority = Priority::kNone;
  EXPECT_EQ(ListSet(q), (Ids{t4.id}));
  q = Query();
  q.text = "50%";  // % is a literal: "500" does not match
  EXPECT_EQ(ListSet(q), (Ids{t1.id}));
  q.text = "a_b";  // _ is a literal: "axb" does not match
  EXPECT_EQ(ListSet(q), (Ids{t3.id}));
  q.text = "PAY";  // case-insensitive
  EXPECT_EQ(ListSet(q), (Ids{t1.id, t2.id}));
  q.text = "k\\s";  // backslash is a literal too, and description is searched
  EXPECT_EQ(ListSet(q), (Ids{t2.id}));
  q.text = "%";
  EXPECT_EQ(ListSet(q), (Ids{t1.id}));
  q = Query();
  q.due_before = now + 2h;
  EXPECT_EQ(ListSet(q), (Ids{t1.id, t4.id}));
  q = Query();
  q.due_after = now;
  EXPECT_EQ(ListSet(q), (Ids{t1.id, t2.id}));
  q.due_before = now + 2h;
  EXPECT_EQ(ListSet(q), (Ids{t1.id}));
  q = Query();
  q.expires_before = now;
  EXPECT_EQ(ListSet(q), (Ids{t4.id}));
  q = Query();
  q.expires_after = now + 3h;
  EXPECT_EQ(ListSet(q), (Ids{t3.id}));
  q.expires_after = now;
  EXPECT_EQ(ListSet(q), (Ids{t1.id, t3.id}));
}

// The expected order of a sort: its key (absent times last ascending), then id.
std::vector<std::string> ExpectedOrder(std::vector<Task> tasks, app::SortKey key, bool descending) {
  auto time_key = [](const std::optional<Time>& t) {
    return t ? Ms(*t) : std::numeric_limits<std::int64_t>::max();
  };
  auto sort_key = [&](const Task& t) -> std::int64_t {
    switch (key) {
      case app::SortKey::kCreatedAt:
        return Ms(t.created_at);
      case app::SortKey::kUpdatedAt:
        return Ms(t.updated_at);
      case app::SortKey::kDueAt:
        return time_key(t.due_at);
      case app::SortKey::kExpiresAt:
        return time_key(t.expires_at);
      case app::SortKey::kPriority:
        return domain::PriorityRank(t.priority);
    }
    return 0;
  };
  std::sort(tasks.begin(), tasks.end(), [&](const Task& a, const Task& b) {
    auto ka = std::make_pair(sort_key(a), a.id);
    auto kb = std::make_pair(sort_key(b), b.id);
    return descending ? kb < ka : ka < kb;
  });
  std::vector<std::string> ids;
  ids.reserve(tasks.size());
  for (const auto& t : tasks) ids.push_back(t.id);
  return ids;
}

TEST_F(RepositoryTest, EverySortPaginatesByKeysetWithoutDuplicatesOrGaps) {
  constexpr int kTasks = 23;
  Time base = Now() - 24h;
  std::vector<Task> tasks;
  for (int i = 0; i < kTasks; ++i) {
    Task t = MakeTask(owner_, "task " + std::to_string(i));
    t.created_at = base + std::chrono::seconds(i / 3);  // ties of three
    t.updated_at = base + std::chrono::seconds((i * 7) % 11);
    if (i % 4 != 0) t.due_at = base + std::chrono::hours((i * 5) % 7);
    if (i % 3 != 0) t.expires_at = base + 48h + std::chrono::hours((i * 3) % 5);
    t.priority = static_cast<Priority>(i % 5);
    tasks.push_back(t);
    Insert(t);
  }
  Insert(MakeTask(platform::NewUuidV7(), "someone else's"));
  const std::pair<app::SortKey, const char*> k_sorts[] = {{app::SortKey::kCreatedAt, "created_at"},
                                                          {app::SortKey::kUpdatedAt, "updated_at"},
                                                          {app::SortKey::kDueAt, "due_at"},
                                                          {app::SortKey::kExpiresAt, "expires_at"},
                                                          {app::SortKey::kPriority, "priority"}};
  for (const auto& [key, name] : k_sorts) {
    for (bool descending : {false, true}) {
      for (int limit : {1, 4, kTasks, 50}) {
        SCOPED_TRACE(std::string(descending ? "-" : "") + name + " limit " + std::to_string(limit));
        auto q = Query();
        q.sort = key;
        q.descending = descending;
        q.limit = limit;
        int pages = 0;
        auto ids = ListAll(q, &pages);
        EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
        EXPECT_EQ(ids, ExpectedOrder(tasks, key, descending));
        EXPECT_EQ(pages, (kTasks + limit - 1) / limit);
      }
    }
  }
}

// The outbox row of each change: the CloudEvents envelope, entityversion = the task's version.
TEST_F(RepositoryTest, EveryChangeWritesItsEventToTheOutbox) {
  Task v1 = FullTask();
  v1.status = Status::kInProgress;
  v1.expired_at.reset();
  v1.completed_at.reset();
  v1.expires_at = Now() + 1h;
  v1.version = 1;
  Insert(v1);
  Task v2 = v1;
  v2.title = "renamed";
  v2.version = 2;
  ASSERT_TRUE(Update(v2, 1, domain::TaskChange::kUpdated));
  Task v3 = v2;
  v3.status = Status::kDone;
  v3.progress = 100;
  v3.completed_at = Now();
  v3.version = 3;
  ASSERT_TRUE(Update(v3, 2, domain::TaskChange::kCompleted));
  Task v4 = v3;
  v4.status = Status::kInProgress;
  v4.progress = 50;
  v4.completed_at.reset();
  v4.version = 4;
  ASSERT_TRUE(Update(v4, 3, domain::TaskChange::kReopened));
  auto deleted = RunSync(repo_->Delete(owner_, v1.id, 4, "req-delete"));
  ASSERT_TRUE(deleted && *deleted);

  auto rows =
      Sql("SELECT event_id::text, subject, payload, sent_at IS NULL FROM outbox ORDER BY id");
  ASSERT_EQ(rows.Size(), 5);
  const std::pair<const char*, const Task*> k_expected[] = {{"todo.task.created", &v1},
                                                            {"todo.task.updated", &v2},
                                                            {"todo.task.completed", &v3},
                                                            {"todo.task.reopened", &v4},
                                                            {"todo.task.deleted", nullptr}};
  for (int i = 0; i < 5; ++i) {
    const auto& [type, task] = k_expected[i];
    SCOPED_TRACE(type);
    EXPECT_EQ(rows.Text(i, 1), type);
    EXPECT_TRUE(rows.Bool(i, 3));  // pending for the relay
    auto event = ParseJson(rows.Text(i, 2));
    ASSERT_TRUE(event.IsObject());
    EXPECT_STREQ(event["specversion"].GetString(), "1.0");
    EXPECT_EQ(event["id"].GetString(), rows.Text(i, 0));
    EXPECT_TRUE(platform::IsUuid(event["id"].GetString()));
    EXPECT_STREQ(event["source"].GetString(), "/tasks");
    EXPECT_STREQ(event["type"].GetString(), type);
    EXPECT_EQ(event["subject"].GetString(), v1.id);
    EXPECT_TRUE(event["time"].IsString());
    EXPECT_STREQ(event["datacontenttype"].GetString(), "application/json");
    ASSERT_TRUE(event.HasMember("entityversion"));
    EXPECT_EQ(event["entityversion"].GetInt64(), i + 1);
    ASSERT_TRUE(event["data"].IsObject());
    const auto& data = event["data"];
    EXPECT_EQ(data["owner_id"].GetString(), owner_);
    EXPECT_EQ(data["id"].GetString(), v1.id);
    EXPECT_EQ(data["version"].GetInt64(), i + 1);
    if (task != nullptr) {
      auto expected = ParseJson(infra::TaskEventJson(*task));
      EXPECT_TRUE(data == expected) << rows.Text(i, 2);
      EXPECT_STREQ(event["requestid"].GetString(), i == 0 ? "req-insert" : "req-update");
    } else {
      EXPECT_EQ(data.MemberCount(), 4u) << rows.Text(i, 2);
      EXPECT_STREQ(data["title"].GetString(), "renamed");  // the last title, for rebuilt feeds
      EXPECT_STREQ(event["requestid"].GetString(), "req-delete");
    }
  }
}

// One create as a request makes it: awaits the repository, then checks from another connection
// that the row is already committed when the awaiting coroutine resumes.
boost::asio::awaitable<void> CreateAndLookFromOutside(infra::PgTaskRepository* repo, Task task,
                                                      pg::Connection* outside, int* committed,
                                                      std::vector<std::string>* failures) {
  auto stored = co_await repo->Insert(task, "req-" + task.title);
  if (!stored) {
    failures->push_back(task.title + ": " + stored.error().detail);
    co_return;
  }
  static constexpr pg::Query kVisible{"itest_visible", "SELECT 1 FROM tasks WHERE id = $1"};
  auto seen = outside->Execute(kVisible, {task.id});
  if (seen && seen->Size() == 1) ++*committed;
}

// Every create submitted at once (one thread, so they queue behind each other's commits).
void CreateAllAtOnce(infra::PgTaskRepository* repo, const std::vector<Task>& tasks,
                     pg::Connection* outside, int* committed, std::vector<std::string>* failures) {
  boost::asio::io_context io;
  for (const Task& t : tasks) {
    boost::asio::co_spawn(io, CreateAndLookFromOutside(repo, t, outside, committed, failures),
                          boost::asio::detached);
  }
  io.run();
}

// Group commit: creates that arrive together share a transaction (fewer distinct xmin than
// tasks), every task and its created event are written exactly as a lone create writes them,
// each has exactly one event, and each create resumes only once committed.
TEST_F(RepositoryTest, ConcurrentCreatesCommitInGroupsEachWithItsEvent) {
  constexpr int kTasks = 200;
  std::vector<Task> tasks;
  for (int i = 0; i < kTasks; ++i) {
    Task t = i % 3 == 0 ? FullTask() : MakeTask(owner_, "plain");
    t.id = platform::NewUuidV7();
    t.title += " #" + std::to_string(i);
    t.version = 1;
    tasks.push_back(t);
  }
  auto outside = Open();
  ASSERT_TRUE(outside);
  int committed = 0;
  std::vector<std::string> failures;
  CreateAllAtOnce(repo_.get(), tasks, outside.get(), &committed, &failures);
  EXPECT_TRUE(failures.empty()) << failures.front();
  EXPECT_EQ(committed, kTasks);

  auto transactions =
      Count("SELECT count(DISTINCT xmin::text) FROM tasks WHERE owner_id = $1", {owner_});
  EXPECT_LT(transactions, kTasks / 4) << "creates were not grouped";
  EXPECT_GE(transactions, 1);

  // One event per task. Groups committing side by side interleave their outbox ids, so the
  // order across tasks is not submission order (and need not be: each task has one create).
  auto events =
      Sql("SELECT payload::jsonb->>'subject', payload, count(*) OVER (PARTITION BY "
          "payload::jsonb->>'subject') FROM outbox");
  ASSERT_EQ(events.Size(), kTasks);
  std::map<std::string, int> row_of;
  for (int i = 0; i < events.Size(); ++i) {
    EXPECT_EQ(events.Int(i, 2), 1) << events.Text(i, 0);
    row_of[events.Text(i, 0)] = i;
  }
  for (const Task& t : tasks) {
    SCOPED_TRACE(t.title);
    ASSERT_TRUE(row_of.contains(t.id));
    int i = row_of[t.id];
    auto event = ParseJson(events.Text(i, 1));
    ASSERT_TRUE(event.IsObject());
    EXPECT_STREQ(event["type"].GetString(), "todo.task.created");
    EXPECT_EQ(event["requestid"].GetString(), "req-" + t.title);
    EXPECT_TRUE(event["data"] == ParseJson(infra::TaskEventJson(t))) << events.Text(i, 1);
    auto back = Find(owner_, t.id);
    ASSERT_TRUE(back);
    EXPECT_EQ(infra::TaskEventJson(*back), infra::TaskEventJson(t));
  }
}

// A create the database refuses fails alone: the rest of its group still commits, and the
// refused one leaves neither a row nor an event.
TEST_F(RepositoryTest, ARefusedCreateInAGroupFailsAloneAndTheOthersCommit) {
  constexpr int kTasks = 40;
  std::vector<Task> tasks;
  for (int i = 0; i < kTasks; ++i) {
    Task t = MakeTask(owner_, "task " + std::to_string(i));
    if (i % 10 == 7) t.progress = 101;  // outside the table's CHECK constraint
    tasks.push_back(t);
  }
  auto outside = Open();
  ASSERT_TRUE(outside);
  int committed = 0;
  std::vector<std::string> failures;
  CreateAllAtOnce(repo_.get(), tasks, outside.get(), &committed, &failures);
  EXPECT_EQ(committed, kTasks - 4);
  ASSERT_EQ(failures.size(), 4u);
  for (const auto& failure : failures) EXPECT_TRUE(failure.starts_with("task ")) << failure;
  EXPECT_EQ(Count("SELECT count(*) FROM tasks WHERE progress > 100"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM tasks WHERE owner_id = $1", {owner_}), kTasks - 4);
  EXPECT_EQ(Count("SELECT count(*) FROM outbox"), kTasks - 4);
  for (const Task& t : tasks) {
    bool refused = t.progress > 100;
    EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE payload::jsonb->>'subject' = $1", {t.id}),
              refused ? 0 : 1)
        << t.title;
  }
}

// The scheduler renders its events from rows read back from PostgreSQL: a task read back renders
// exactly as the task written, odd characters and millisecond edges included.
TEST_F(RepositoryTest, TaskReadBackRendersLikeTheTaskWritten) {
  std::vector<Task> tasks;
  tasks.push_back(FullTask());
  tasks.push_back(MakeTask(owner_, "bare"));
  Task odd =
      MakeTask(owner_, "quotes \" backslash \\ slash / tab\t unicode \u00e9\u4e2d\U0001F600");
  odd.created_at = Time(std::chrono::milliseconds(1'700'000'000'000));  // .000 milliseconds
  odd.updated_at = Time(std::chrono::milliseconds(1'700'000'000'999));
  odd.due_at = Time(std::chrono::milliseconds(946'684'799'001));  // 1999-12-31T23:59:59.001Z
  odd.labels = {"a", "b \"c\""};
  odd.checklist = {{"x", "", false}, {"y", "t\\", true}};
  odd.priority = Priority::kLow;
  tasks.push_back(odd);
  for (const Task& t : tasks) {
    SCOPED_TRACE(t.title);
    Insert(t);
    auto back = RunSync(repo_->Find(owner_, t.id));
    ASSERT_TRUE(back && *back);
    EXPECT_EQ(infra::TaskEventJson(**back), infra::TaskEventJson(t));
  }
}

TEST_F(RepositoryTest, SettingsComeFromTheUserReplicaWithDefaults) {
  auto none = RunSync(repo_->Settings(owner_));
  ASSERT_TRUE(none);
  EXPECT_EQ(none->timezone, "UTC");
  EXPECT_FALSE(none->default_task_ttl_seconds.has_value());
  Sql("INSERT INTO user_replica (id, timezone, default_task_ttl_seconds, version) "
      "VALUES ($1, 'Asia/Jakarta', 3600, 1)",
      {owner_});
  auto some = RunSync(repo_->Settings(owner_));
  ASSERT_TRUE(some);
  EXPECT_EQ(some->timezone, "Asia/Jakarta");
  EXPECT_EQ(some->default_task_ttl_seconds, 3600);
}

}  // namespace
}  // namespace tasks::itest
