// The event consumer against the local NATS and PostgreSQL: a realistic history of a few people
// published to a stream of the test's own, followed by EventConsumer until caught up, and the
// answers (summary at a fixed clock, daily buckets, the whole feed) compared across a rebuild,
// a consumer stopped and replaced part-way, events stored twice, a delivery that fails once and
// an event that fails every time.

#include <algorithm>
#include <array>
#include <future>
#include <map>
#include <random>
#include <tuple>

#include <nats/nats.h>
#include <rapidjson/document.h>

#include "infra/events/state_replay.hpp"
#include "infra/pg/activity_sweeper.hpp"
#include "progress_test_env.hpp"

namespace progress::itest {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;

// Person: one user of the simulated history, with the tasks they still have.
struct Person {
  UserState user;
  std::vector<TaskState> tasks;  // not deleted
  bool deleted = false;
  std::size_t task_events = 0;  // task events about them while they existed
};

// History: the events identity and tasks would publish for a few people over two weeks, in
// order, and the simulation's own view of where each person ends.
struct History {
  std::vector<Event> events;
  std::vector<Person> people;
  Time now;  // shortly after the last event: the clock the answers are read at
};

// HistoryBuilder: a seeded simulation (the same history every run; ids differ). People create,
// progress, complete, reopen and delete tasks and change their time zone; the expiry scheduler
// expires (or deletes) tasks at their instant; one person deletes their account two thirds of
// the way through, after which tasks erases their tasks.
class HistoryBuilder {
 public:
  explicit HistoryBuilder(Time start) : now_(start) {}

  History Build(std::size_t target) {
    const std::vector<std::string> zones{"Asia/Jakarta", "America/New_York", "UTC",
                                         "Pacific/Auckland"};
    for (const auto& zone : zones) {
      Person p;
      p.user.timezone = zone;
      p.user.email = "person" + std::to_string(history_.people.size()) + "@example.com";
      p.user.created_at = now_;
      p.user.updated_at = now_;
      history_.events.push_back(UserEvent("created", p.user, now_));
      history_.people.push_back(std::move(p));
      now_ += minutes(5);
    }
    bool account_deleted = false;
    while (history_.events.size() < target) {
      Time next = now_ + minutes(20 + Pick(140));
      ExpireUpTo(next);
      now_ = next;
      if (!account_deleted && history_.events.size() >= target * 2 / 3) {
        DeleteAccount(history_.people.back());
        account_deleted = true;
        continue;
      }
      int living = static_cast<int>(history_.people.size()) - (account_deleted ? 1 : 0);
      Person& p = history_.people[static_cast<std::size_t>(Pick(living))];
      Act(p);
    }
    history_.now = now_ + minutes(30);
    return std::move(history_);
  }

 private:
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  static bool Open(const TaskState& t) { return t.status == "todo" || t.status == "in_progress"; }

  void TaskChanged(Person& p, std::string_view kind, TaskState& t, Time at) {
    ++t.version;
    t.updated_at = at;
    history_.events.push_back(TaskEvent(kind, t, at));
    ++p.task_events;
  }

  // One thing the person does now.
  void Act(Person& p) {
    int roll = Pick(100);
    std::vector<std::size_t> open;
    std::vector<std::size_t> done;
    for (std::size_t i = 0; i < p.tasks.size(); ++i) {
      if (Open(p.tasks[i])) open.push_back(i);
      if (p.tasks[i].status == "done") done.push_back(i);
    }
    auto any = [this](const std::vector<std::size_t>& from) {
      return from[static_cast<std::size_t>(Pick(static_cast<int>(from.size())))];
    };
    if (roll < 4) {
      p.user.timezone = p.user.timezone == "Europe/Berlin" ? "Asia/Jakarta" : "Europe/Berlin";
      ++p.user.version;
      p.user.updated_at = now_;
      history_.events.push_back(UserEvent("updated", p.user, now_));
    } else if (roll < 32 || open.empty()) {
      Create(p);
    } else if (roll < 55) {
      auto& t = p.tasks[any(open)];
      t.progress = std::min(t.progress + 25, 75);
      t.status = "in_progress";
      TaskChanged(p, "updated", t, now_);
    } else if (roll < 78) {
      auto& t = p.tasks[any(open)];
      t.status = "done";
      t.progress = 100;
      t.completed_at = now_;
      TaskChanged(p, "completed", t, now_);
    } else if (roll < 86 && !done.empty()) {
      auto& t = p.tasks[any(done)];
      t.status = "todo";
      t.progress = 0;
      t.completed_at.reset();
      if (t.expires_at && *t.expires_at <= now_) t.expires_at.reset();
      TaskChanged(p, "reopened", t, now_);
    } else {  // some task exists: `open` is not empty
      auto i = static_cast<std::size_t>(Pick(static_cast<int>(p.tasks.size())));
      history_.events.push_back(TaskDeleted(p.tasks[i], p.tasks[i].version + 1, now_));
      ++p.task_events;
      p.tasks.erase(p.tasks.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }

  void Create(Person& p) {
    TaskState t;
    t.owner_id = p.user.id;
    t.title = "Task " + std::to_string(++tasks_created_);
    t.priority = std::array{"none", "low", "medium", "high", "urgent"}[Pick(5)];
    if (Pick(3) == 0) t.labels = {"ramadhan"};
    if (Pick(2) == 0) t.due_at = now_ + hours(1 + Pick(96));
    if (Pick(3) == 0) {
      t.expires_at = now_ + hours(1 + Pick(48));
      if (Pick(3) == 0) t.on_expire = "delete";
    }
    t.created_at = now_;
    t.updated_at = now_;
    history_.events.push_back(TaskEvent("created", t, now_));
    ++p.task_events;
    p.tasks.push_back(std::move(t));
  }

  // The expiry scheduler: every open task whose expiry falls before `until`, at its instant.
  void ExpireUpTo(Time until) {
    std::vector<std::tuple<Time, std::size_t, std::string>> due;
    for (std::size_t i = 0; i < history_.people.size(); ++i) {
      const auto& p = history_.people[i];
      if (p.deleted) continue;
      for (const auto& t : p.tasks) {
        if (Open(t) && t.expires_at && *t.expires_at <= until)
          due.emplace_back(*t.expires_at, i, t.id);
      }
    }
    std::ranges::sort(due);
    for (const auto& [at, i, id] : due) {
      auto& p = history_.people[i];
      auto it =
          std::ranges::find_if(p.tasks, [&id = id](const TaskState& t) { return t.id == id; });
      if (it->on_expire == "delete") {
        history_.events.push_back(TaskDeleted(*it, it->version + 1, at, "expired"));
        ++p.task_events;
        p.tasks.erase(it);
        continue;
      }
      it->status = "expired";
      it->expired_at = at;
      TaskChanged(p, "expired", *it, at);
    }
  }

  // The account deletion, a task change that was already in flight, then tasks' erasure.
  void DeleteAccount(Person& p) {
    history_.events.push_back(UserDeleted(p.user.id, p.user.version + 1, now_));
    p.deleted = true;
    if (!p.tasks.empty()) {
      auto& t = p.tasks.front();
      ++t.version;
      t.updated_at = now_;
      history_.events.push_back(TaskEvent("updated", t, now_));
    }
    for (const auto& t : p.tasks) {
      history_.events.push_back(TaskDeleted(t, t.version + 1, now_ + std::chrono::seconds(1)));
    }
    p.tasks.clear();
  }

  std::mt19937 rng_{20260311};
  Time now_;
  int tasks_created_ = 0;
  History history_;
};

// Answers: what the API would say about one person, each part as comparable text.
struct Answers {
  std::string time_zone, summary, daily, activity;
};

class ReplayTest : public ProgressDbTest {
 protected:
  void SetUp() override {
    ProgressDbTest::SetUp();
    if (HasFatalFailure()) return;
    try {
      stream_ = std::make_unique<TestStream>();
    } catch (const std::exception& e) {
      FAIL() << e.what();
    }
    history_ = HistoryBuilder(At(std::chrono::year{2026} / 3 / 1, 6h)).Build(200);
    n_ = static_cast<std::int64_t>(history_.events.size());
    clock_.Set(history_.now);
  }

  void TearDown() override {
    consumers_.clear();  // stopped before their stream and schema go
    stream_.reset();
    ProgressDbTest::TearDown();
  }

  infra::EventConsumer& StartConsumer(const infra::ConsumerOptions& options,
                                      std::string conninfo = "") {
    consumers_.push_back(std::make_unique<infra::EventConsumer>(
        conninfo.empty() ? conninfo_ : std::move(conninfo), stream_->Js(), options));
    consumers_.back()->Start();
    return *consumers_.back();
  }

  void AwaitCaughtUp(const infra::EventConsumer& consumer, std::int64_t n) {
    bool caught_up = Eventually([&] { return CaughtUp(consumer, n); }, 30s);
    ASSERT_TRUE(caught_up) << "applied " << consumer.Applied() << " of " << n << ", pending "
                           << consumer.Pending();
  }

  void Publish(std::size_t from, std::size_t to) {
    std::vector<Event> part(history_.events.begin() + static_cast<std::ptrdiff_t>(from),
                            history_.events.begin() + static_cast<std::ptrdiff_t>(to));
    stream_->PublishAll(part);
  }

  std::map<std::string, Answers> Snapshot() {
    std::map<std::string, Answers> out;
    for (const auto& p : history_.people) {
      const auto& id = p.user.id;
      out[id] = {TimeZone(id), Describe(Summary(id)), Describe(Daily(id, 30)),
                 Describe(Activity(id))};
    }
    return out;
  }

  static void ExpectSameAnswers(const std::map<std::string, Answers>& expected,
                                const std::map<std::string, Answers>& actual) {
    ASSERT_EQ(expected.size(), actual.size());
    for (const auto& [id, want] : expected) {
      SCOPED_TRACE("user " + id);
      const auto& got = actual.at(id);
      EXPECT_EQ(got.time_zone, want.time_zone);
      EXPECT_EQ(got.summary, want.summary);
      EXPECT_EQ(got.daily, want.daily);
      EXPECT_EQ(got.activity, want.activity);
    }
  }

  // The read model agrees with the simulation on what it can know without recomputing it.
  void ExpectMatchesHistory() {
    for (const auto& p : history_.people) {
      SCOPED_TRACE("user " + p.user.id + " in " + p.user.timezone);
      auto summary = Summary(p.user.id);
      if (p.deleted) {
        EXPECT_EQ(TimeZone(p.user.id), "UTC");
        EXPECT_EQ(summary.aggregates.counts.Total(), 0);
        EXPECT_TRUE(Activity(p.user.id).empty());
        continue;
      }
      domain::StatusCounts want;
      double progress = 0;
      for (const auto& t : p.tasks) {
        progress += t.progress;
        if (t.status == "todo") ++want.todo;
        if (t.status == "in_progress") ++want.in_progress;
        if (t.status == "done") ++want.done;
        if (t.status == "expired") ++want.expired;
      }
      EXPECT_EQ(TimeZone(p.user.id), p.user.timezone);
      EXPECT_EQ(summary.aggregates.counts.todo, want.todo);
      EXPECT_EQ(summary.aggregates.counts.in_progress, want.in_progress);
      EXPECT_EQ(summary.aggregates.counts.done, want.done);
      EXPECT_EQ(summary.aggregates.counts.expired, want.expired);
      if (!p.tasks.empty()) {
        EXPECT_NEAR(summary.aggregates.average_progress,
                    progress / static_cast<double>(p.tasks.size()), 1e-9);
      }
      EXPECT_EQ(Activity(p.user.id).size(), p.task_events);
    }
  }

  std::unique_ptr<TestStream> stream_;
  std::vector<std::unique_ptr<infra::EventConsumer>> consumers_;
  History history_;
  std::int64_t n_ = 0;
};

TEST_F(ReplayTest, HistoryIsRealistic) {
  // A guard on the simulation itself: every kind of event, for several people.
  std::map<std::string, int> types;
  for (const auto& e : history_.events) ++types[e.type];
  for (const char* type : {"todo.user.created", "todo.user.updated", "todo.user.deleted",
                           "todo.task.created", "todo.task.updated", "todo.task.completed",
                           "todo.task.reopened", "todo.task.expired", "todo.task.deleted"}) {
    EXPECT_GT(types[type], 0) << type;
  }
  EXPECT_GE(history_.events.size(), 200u);
  EXPECT_LT(history_.events.size(), 260u);
}

TEST_F(ReplayTest, RebuildReplaysTheStreamToTheSameAnswers) {
  Publish(0, history_.events.size());
  auto options = stream_->Options();
  auto& first = StartConsumer(options);
  ASSERT_NO_FATAL_FAILURE(AwaitCaughtUp(first, n_));
  EXPECT_EQ(first.Applied(), n_);
  ExpectMatchesHistory();
  auto before = Snapshot();
  first.Stop();

  auto dropped = infra::DropReadModel(conninfo_, stream_->Js(), options);
  ASSERT_TRUE(dropped.has_value()) << dropped.error().detail;
  EXPECT_EQ(Count("it_count_all_tasks", "SELECT count(*) FROM task_state"), 0);
  EXPECT_EQ(Count("it_count_all_activity", "SELECT count(*) FROM activity"), 0);
  EXPECT_EQ(Count("it_count_all_forgotten", "SELECT count(*) FROM forgotten_person"), 0);

  auto& second = StartConsumer(options);
  ASSERT_NO_FATAL_FAILURE(AwaitCaughtUp(second, n_));
  EXPECT_EQ(second.Applied(), n_);  // from the first event again
  ExpectSameAnswers(before, Snapshot());
}

TEST_F(ReplayTest, OneEventACommitAndOneBatchACommitGiveTheSameAnswers) {
  Publish(0, history_.events.size());
  auto one = stream_->Options();
  one.batch = 1;
  auto& single = StartConsumer(one);
  ASSERT_NO_FATAL_FAILURE(AwaitCaughtUp(single, n_));
  ExpectMatchesHistory();
  auto by_one = Snapshot();
  single.Stop();

  ASSERT_TRUE(infra::DropReadModel(conninfo_, stream_->Js(), one).has_value());
  auto& batched = StartConsumer(stream_->Options());  // one fetch holds the whole history
  ASSERT_NO_FATAL_FAILURE(AwaitCaughtUp(batched, n_));
  ExpectSameAnswers(by_one, Snapshot());
}

// Retention as it runs in production: the activity feed keeps a window, the history stream
// has lost what is older, and the state stream holds the newest event of every entity. A
// rebuild (the state stream, then what history is left) gives the answers the read model gave
// before it: summary, time zones, daily buckets and the feed of the window.
TEST_F(ReplayTest, RebuildFromTheStateStreamAndTrimmedHistoryGivesTheSameAnswers) {
  TestStateStream states(*stream_);
  for (const auto& e : history_.events) states.Publish(e);
  Publish(0, history_.events.size());
  auto options = stream_->Options();
  auto& first = StartConsumer(options);
  ASSERT_NO_FATAL_FAILURE(AwaitCaughtUp(first, n_));
  first.Stop();

  // The cut: the first event of the second half with a minute of quiet before it, every
  // event before it older and every event from it on newer.
  std::vector<std::int64_t> at_ms;
  for (const auto& e : history_.events) {
    rapidjson::Document doc;
    doc.Parse(e.payload.c_str());
    at_ms.push_back(platform::ParseTimestamp(doc["time"].GetString())->time_since_epoch().count());
  }
  std::vector<std::int64_t> max_before(at_ms.size()), min_after(at_ms.size());
  for (std::size_t i = 0; i < at_ms.size(); ++i) {
    max_before[i] = std::max(i == 0 ? at_ms[0] : max_before[i - 1], at_ms[i]);
  }
  for (std::size_t i = at_ms.size(); i-- > 0;) {
    min_after[i] = std::min(i + 1 == at_ms.size() ? at_ms[i] : min_after[i + 1], at_ms[i]);
  }
  std::size_t cut = 0;
  for (std::size_t i = at_ms.size() / 2; i < at_ms.size() && cut == 0; ++i) {
    if (min_after[i] - max_before[i - 1] >= 60'000) cut = i;
  }
  ASSERT_GT(cut, 0u) << "no quiet minute in the second half";
  std::int64_t middle_ms = (min_after[cut] + max_before[cut - 1]) / 2;

  // The activity window ends in that quiet minute; history keeps what came after it.
  infra::ActivityWindow window;
  auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    platform::Clock::now().time_since_epoch())
                    .count();
  window.keep = std::chrono::seconds((now_ms - middle_ms) / 1000);
  auto swept = infra::ActivitySweeper::SweepOnce(*conn_, window);
  ASSERT_TRUE(swept.has_value()) << swept.error().message;
  EXPECT_GT(*swept, 0);
  auto before = Snapshot();

  jsOptions purge;
  jsOptions_Init(&purge);
  purge.Stream.Purge.Sequence = cut + 1;  // everything below the cut's stream sequence
  jsErrCode code = static_cast<jsErrCode>(0);
  ASSERT_EQ(js_PurgeStream(stream_->Js().RawContext(), stream_->Name().c_str(), &purge, &code),
            NATS_OK);

  ASSERT_TRUE(infra::DropReadModel(conninfo_, stream_->Js(), options).has_value());
  auto folded = infra::FoldStateStream(conninfo_, stream_->Js(), states.Name(), states.Filter());
  ASSERT_TRUE(folded.has_value()) << folded.error().detail;
  EXPECT_EQ(folded->malformed, 0u);
  EXPECT_LT(folded->folded, history_.events.size()) << "one message per entity, not history";
  auto& second = StartConsumer(options);
  auto retained = n_ - static_cast<std::int64_t>(cut);
  ASSERT_NO_FATAL_FAILURE(AwaitCaughtUp(second, retained));
  EXPECT_EQ(second.Applied(), retained);
  ExpectSameAnswers(before, Snapshot());
}

TEST_F(ReplayTest, ConsumerStoppedPartWayIsContinuedByTheNextWithoutDuplicates) {
  auto options = stream_->Options();
  std::size_t half = history_.events.size() / 2;
  auto n1 = static_cast<std::int64_t>(half);
  Publish(0, half);
  auto& first = StartConsumer(options);
  ASSERT_NO_FATAL_FAILURE(AwaitCaughtUp(first, n1));
  first.Stop();
  EXPECT_EQ(first.Applied(), n1);

  Publish(half, history_.events.size());
  auto& second = StartConsumer(options);
  ASSERT_NO_FATAL_FAILURE(AwaitCaughtUp(second, n_ - n1));
  // Only what the first had not acknowledged: nothing was delivered twice.
  EXPECT_EQ(second.Applied(), n_ - n1);
  ExpectMatchesHistory();
  auto resumed = Snapshot();
  second.Stop();

  // The same answers as one consumer reading the whole stream.
  ASSERT_TRUE(infra::DropReadModel(conninfo_, stream_->Js(), options).has_value());
  auto& whole = StartConsumer(options);
  ASSERT_NO_FATAL_FAILURE(AwaitCaughtUp(whole, n_));
  ExpectSameAnswers(resumed, Snapshot());
}

// Stop() while a batch is being applied: the batch is finished and acknowledged, and the next
// consumer starts right after it. A row lock the test holds pins the consumer in that batch.
TEST_F(ReplayTest, ConsumerStoppedInTheMiddleOfABatchFinishesItAndTheNextContinues) {
  auto options = stream_->Options();
  options.batch = 64;  // small enough that the pinned batch cannot reach the end
  std::size_t half = history_.events.size() / 2;
  auto n1 = static_cast<std::int64_t>(half);
  Publish(0, half);
  auto& first = StartConsumer(options);
  ASSERT_NO_FATAL_FAILURE(AwaitCaughtUp(first, n1));

  // The first event of the second half that changes a task the first half left in place.
  const std::string& gone = history_.people.back().user.id;
  std::size_t pinned = 0;
  std::string task_id;
  for (std::size_t i = half; i < history_.events.size() && task_id.empty(); ++i) {
    const auto& e = history_.events[i];
    if (!e.type.starts_with("todo.task.") || e.type == "todo.task.created") continue;
    rapidjson::Document doc;
    doc.Parse(e.payload.c_str());
    std::string id = doc["data"]["id"].GetString();
    if (doc["data"]["owner_id"].GetString() == gone) continue;
    if (Count("it_live_task", "SELECT count(*) FROM task_state WHERE id = $1 AND NOT deleted",
              {id}) == 1) {
      pinned = i;
      task_id = id;
    }
  }
  ASSERT_FALSE(task_id.empty());
  ASSERT_LT(pinned + 64, history_.events.size());  // its batch cannot reach the end

  auto locker = pg::Connection::Open(conninfo_);
  ASSERT_TRUE(locker.has_value()) << locker.error().message;
  ASSERT_TRUE((*locker)->ExecuteScript("BEGIN"));
  auto pid = (*locker)->Execute(pg::Query{"it_backend_pid", "SELECT pg_backend_pid()"});
  ASSERT_TRUE(pid.has_value());
  auto locked = (*locker)->Execute(
      pg::Query{"it_lock_task", "SELECT 1 FROM task_state WHERE id = $1 FOR UPDATE"}, {task_id});
  ASSERT_TRUE(locked.has_value() && locked->Size() == 1);

  Publish(half, history_.events.size());
  ASSERT_TRUE(Eventually(
      [&] {
        return Count("it_blocked",
                     "SELECT count(*) FROM pg_stat_activity "
                     "WHERE $1::int = ANY(pg_blocking_pids(pid))",
                     {pid->Text(0, 0)}) == 1;
      },
      10s));
  std::promise<void> stopping;
  auto stopper = std::async(std::launch::async, [&] {
    stopping.set_value();
    first.Stop();
  });
  stopping.get_future().wait();
  ASSERT_TRUE((*locker)->ExecuteScript("ROLLBACK"));
  ASSERT_EQ(stopper.wait_for(10s), std::future_status::ready);
  std::int64_t a1 = first.Applied();
  EXPECT_GT(a1, n1 + static_cast<std::int64_t>(pinned - half));
  EXPECT_LT(a1, n_);

  auto& second = StartConsumer(options);
  ASSERT_NO_FATAL_FAILURE(AwaitCaughtUp(second, n_ - a1));
  EXPECT_EQ(second.Applied(), n_ - a1);  // nothing the first applied came again
  ExpectMatchesHistory();
  auto resumed = Snapshot();
  second.Stop();

  ASSERT_TRUE(infra::DropReadModel(conninfo_, stream_->Js(), options).has_value());
  auto& whole = StartConsumer(options);
  ASSERT_NO_FATAL_FAILURE(AwaitCaughtUp(whole, n_));
  ExpectSameAnswers(resumed, Snapshot());
}

TEST_F(ReplayTest, SameEventsStoredAgainUnderOtherMsgIdsChangeNothing) {
  Publish(0, history_.events.size());
  auto& consumer = StartConsumer(stream_->Options());
  ASSERT_NO_FATAL_FAILURE(AwaitCaughtUp(consumer, n_));
  auto before = Snapshot();

  // Past the duplicate window (another Nats-Msg-Id), each is stored again under a new stream
  // sequence and delivered again, newest first: old task versions after newer ones, completions,
  // deletions, and the deleted person's profile events after their deletion.
  const std::string& gone = history_.people.back().user.id;
  std::int64_t again = 0;
  for (std::size_t i = history_.events.size(); i-- > 0;) {
    const auto& e = history_.events[i];
    bool theirs = e.type.starts_with("todo.user.") && e.payload.find(gone) != std::string::npos;
    if (i % 7 == 3 || theirs || i + 1 == history_.events.size()) {
      stream_->Publish(e, e.id + "-again");
      ++again;
    }
  }
  ASSERT_NO_FATAL_FAILURE(AwaitCaughtUp(consumer, n_ + again));
  EXPECT_EQ(consumer.Applied(), n_ + again);
  ExpectSameAnswers(before, Snapshot());
  EXPECT_EQ(
      Count("it_count_again", "SELECT count(*) FROM activity WHERE seq > $1", {std::to_string(n_)}),
      0);
}

// The consumer's connection gives up on a row lock after 100 ms, so a lock the test holds makes
// one event fail its first delivery; it is negatively acknowledged and redelivered.
TEST_F(ReplayTest, EventFailingItsFirstDeliveryIsAppliedOnRedeliveryAndTheRestFlowPastIt) {
  std::string owner = platform::NewUuidV7();
  Time t0 = history_.now - hours(3);
  TaskState x;
  x.owner_id = owner;
  x.title = "locked";
  x.created_at = x.updated_at = t0;
  TaskState y = x;
  y.id = platform::NewUuidV7();
  y.title = "free";
  stream_->PublishAll({TaskEvent("created", x, t0), TaskEvent("created", y, t0)});
  auto& consumer = StartConsumer(stream_->Options(), ConninfoWith("-clock_timeout=100"));
  ASSERT_NO_FATAL_FAILURE(AwaitCaughtUp(consumer, 2));

  auto locker = pg::Connection::Open(conninfo_);
  ASSERT_TRUE(locker.has_value()) << locker.error().message;
  ASSERT_TRUE((*locker)->ExecuteScript("BEGIN"));
  auto locked = (*locker)->Execute(
      pg::Query{"it_lock_task", "SELECT 1 FROM task_state WHERE id = $1 FOR UPDATE"}, {x.id});
  ASSERT_TRUE(locked.has_value()) << locked.error().message;
  ASSERT_EQ(locked->Size(), 1);

  x.version = 2;
  x.status = "done";
  x.progress = 100;
  x.completed_at = x.updated_at = t0 + 1h;
  y.version = 2;
  y.status = "in_progress";
  y.progress = 50;
  y.updated_at = t0 + 1h;
  TaskState z = y;
  z.id = platform::NewUuidV7();
  z.version = 1;
  z.title = "behind";
  stream_->PublishAll({TaskEvent("completed", x, t0 + 1h), TaskEvent("updated", y, t0 + 1h),
                       TaskEvent("created", z, t0 + 2h)});
  // The two behind the failing one are applied (after it was tried) while it waits.
  ASSERT_TRUE(Eventually([&] { return consumer.Applied() >= 4; }, 10s)) << consumer.Applied();
  const pg::Query status{"it_task_status",
                         "SELECT count(*) FROM task_state WHERE id = $1 AND status = $2"};
  EXPECT_EQ(Count(status.name, status.sql, {x.id, "todo"}), 1);
  EXPECT_EQ(Count(status.name, status.sql, {y.id, "in_progress"}), 1);

  ASSERT_TRUE((*locker)->ExecuteScript("ROLLBACK"));
  ASSERT_NO_FATAL_FAILURE(AwaitCaughtUp(consumer, 5));
  EXPECT_EQ(consumer.Applied(), 5);
  EXPECT_EQ(Count(status.name, status.sql, {x.id, "done"}), 1);
  EXPECT_EQ(Count("it_count_dead", "SELECT count(*) FROM dead_letters"), 0);
  // The feed keeps stream order: the late one sits at its own sequence, once.
  auto activity = Activity(owner);
  ASSERT_EQ(activity.size(), 5u);
  for (std::size_t i = 0; i < activity.size(); ++i) {
    EXPECT_EQ(activity[i].seq, static_cast<std::int64_t>(5 - i));
  }
  EXPECT_EQ(activity[2].task_id, x.id);
  EXPECT_EQ(activity[2].kind, domain::EventKind::kCompleted);
  EXPECT_EQ(Summary(owner).aggregates.counts.done, 1);
}

TEST_F(ReplayTest, EventFailingEveryDeliveryIsParkedAndTheRestFlowPastIt) {
  std::string owner = platform::NewUuidV7();
  Time t0 = history_.now - hours(3);
  TaskState a;
  a.owner_id = owner;
  a.created_at = a.updated_at = t0;
  TaskState b = a;
  b.id = platform::NewUuidV7();
  TaskState c = a;
  c.id = platform::NewUuidV7();
  auto poison = TaskEvent("created", c, t0);
  auto owner_field = poison.payload.find("\"owner_id\"");
  ASSERT_NE(owner_field, std::string::npos);
  poison.payload.replace(owner_field, 10, "\"whose_id\"");
  stream_->PublishAll({TaskEvent("created", a, t0), poison, TaskEvent("created", b, t0)});

  auto& consumer = StartConsumer(stream_->Options("progress", 2));
  ASSERT_TRUE(Eventually(
      [&] { return Count("it_count_parked", "SELECT count(*) FROM dead_letters") == 1; }, 15s));
  ASSERT_NO_FATAL_FAILURE(AwaitCaughtUp(consumer, 2));
  EXPECT_EQ(consumer.Applied(), 2);
  EXPECT_EQ(Activity(owner).size(), 2u);
  EXPECT_EQ(Count("it_count_parked_row",
                  "SELECT count(*) FROM dead_letters WHERE msg_id = $1 AND subject = $2 "
                  "AND payload = $3 AND error LIKE 'malformed event%'",
                  {poison.id, stream_->Prefix() + ".todo.task.created", poison.payload}),
            1);
}

}  // namespace
}  // namespace progress::itest
