// The outbox against the local PostgreSQL and nats-server: commit-bound enqueue, in-order
// publishing, crash between publish and mark, and the relay thread woken by NOTIFY.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "platform/bus/consumer.hpp"
#include "platform/bus/jetstream.hpp"
#include "platform/bus/outbox.hpp"
#include "platform/pg/connection.hpp"
#include "platform/pg/migrations.hpp"
#include "platform/testing/test_env.hpp"
#include "platform/time.hpp"

namespace platform::bus {
namespace {

using namespace std::chrono_literals;

constexpr pg::Query kRowSent{"test_outbox_row_sent",
                             "SELECT sent_at IS NOT NULL FROM outbox WHERE event_id = $1"};
constexpr pg::Query kRowCount{"test_outbox_row_count",
                              "SELECT count(*) FROM outbox WHERE event_id = $1"};
constexpr pg::Query kAllRows{"test_outbox_all_rows",
                             "SELECT event_id, subject, payload FROM outbox ORDER BY id"};

struct OutboxRow {
  std::string event_id;
  std::string subject;
  std::string payload;
};

// Each test gets its own schema (so its own outbox table, via search_path) and its own stream.
// RunOnce publishes every pending row of the table it sees, so sharing todo_test's outbox with
// other tests would let their rows (whose subjects no stream of ours captures) block ours.
class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    suffix_ = testenv::UniqueSuffix();
    schema_ = "outbox_test_" + suffix_;
    auto admin = pg::Connection::Open(testenv::TestPgConninfo());
    ASSERT_TRUE(admin) << admin.error().message;
    admin_ = std::move(*admin);
    ASSERT_TRUE(admin_->ExecuteScript("CREATE SCHEMA " + schema_));
    conninfo_ = testenv::TestPgConninfo() + " options=-csearch_path=" + schema_;
    conn_ = Open();
    ASSERT_TRUE(conn_);
    auto migrated = pg::Migrate(*conn_, "outbox_test", OutboxMigrations());
    ASSERT_TRUE(migrated) << migrated.error().message;

    auto js = JetStream::Connect(testenv::TestNatsUrl(), "outbox-test");
    ASSERT_TRUE(js) << js.error().detail;
    js_ = std::move(*js);
    stream_ = "TEST_" + suffix_;
    prefix_ = "test" + suffix_;
    ASSERT_TRUE(js_->EnsureStream({stream_, {prefix_ + ".>"}, std::chrono::seconds(120)}));
    auto consumer = PullConsumer::Create(*js_, stream_, "reader", prefix_ + ".>");
    ASSERT_TRUE(consumer) << consumer.error().detail;
    consumer_ = std::move(*consumer);
  }

  void TearDown() override {
    consumer_.reset();
    if (js_) {
      EXPECT_TRUE(js_->DeleteStream(stream_));
    }
    conn_.reset();
    if (admin_) {
      EXPECT_TRUE(admin_->ExecuteScript("SET client_min_messages = warning"));  // no CASCADE notice
      EXPECT_TRUE(admin_->ExecuteScript("DROP SCHEMA " + schema_ + " CASCADE"));
    }
  }

  std::unique_ptr<pg::Connection> Open() {
    auto conn = pg::Connection::Open(conninfo_);
    EXPECT_TRUE(conn) << conn.error().message;
    return conn ? std::move(*conn) : nullptr;
  }

  EventDraft Draft(std::string entity, std::int64_t version) {
    return EventDraft{prefix_ + ".task.updated",    "/tasks", std::move(entity), version,
                      R"({"title":"write tests"})", "req-1"};
  }

  // Enqueues one event in its own committed transaction.
  std::string EnqueueCommitted(const EventDraft& draft) {
    auto id = conn_->Transaction(
        [&](pg::Connection& tx) -> pg::DbResult<std::string> { return EnqueueEvent(tx, draft); });
    EXPECT_TRUE(id) << id.error().message;
    return id ? *id : std::string();
  }

  std::vector<OutboxRow> AllRows() {
    std::vector<OutboxRow> out;
    auto rows = conn_->Execute(kAllRows);
    EXPECT_TRUE(rows) << rows.error().message;
    if (!rows) return out;
    for (int i = 0; i < rows->Size(); ++i) {
      out.push_back({rows->Text(i, 0), rows->Text(i, 1), rows->Text(i, 2)});
    }
    return out;
  }

  // Drafts whose text is hard on an array literal: quotes, backslashes (also next to a
  // quote), commas, braces, empty strings and non-ASCII text, then plain ones for length.
  std::vector<EventDraft> AwkwardDrafts(int plain) {
    std::vector<EventDraft> drafts{
        {prefix_ + ".task.updated", "/tasks", "task-1", 1,
         R"({"title":"say \"hi\", then {leave}","path":"C:\\temp\\new"})", "req-1"},
        {prefix_ + ".task.deleted", "/tasks", "task,2", 7,
         R"({"title":"Grüße aus Köln — 日本語 ✓","tags":["a,b","{c}",""]})", ""},
        {prefix_ + ".task.created", "/tasks", "{task-3}", 2,
         R"({"note":"NULL","tail":"\\\"","empty":""})", R"(req "3" \ x)"},
    };
    for (int i = 0; i < plain; ++i) {
      drafts.push_back(Draft("task-" + std::to_string(100 + i), i));
    }
    return drafts;
  }

  bool RowSent(const std::string& event_id) {
    auto rows = conn_->Execute(kRowSent, {event_id});
    return rows && rows->Size() == 1 && rows->Bool(0, 0);
  }

  // Every message until the stream has nothing more within the timeout, acked, as msg ids.
  std::vector<std::string> FetchAllIds(std::chrono::milliseconds quiet = 1s) {
    std::vector<std::string> ids;
    for (;;) {
      auto messages = consumer_->Fetch(100, quiet);
      EXPECT_TRUE(messages) << messages.error().detail;
      if (!messages || messages->empty()) return ids;
      for (auto& m : *messages) {
        ids.push_back(m.MsgId());
        EXPECT_TRUE(m.Ack());
      }
    }
  }

  // Fetches until a message with this id arrives or the deadline passes.
  bool AwaitEvent(const std::string& event_id, std::chrono::milliseconds within) {
    auto deadline = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < deadline) {
      auto messages = consumer_->Fetch(10, 200ms);
      if (!messages) return false;
      for (auto& m : *messages) {
        EXPECT_TRUE(m.Ack());
        if (m.MsgId() == event_id) return true;
      }
    }
    return false;
  }

  std::string suffix_;
  std::string schema_;
  std::string conninfo_;
  std::string stream_;
  std::string prefix_;
  std::unique_ptr<pg::Connection> admin_;
  std::unique_ptr<pg::Connection> conn_;
  std::unique_ptr<JetStream> js_;
  std::unique_ptr<PullConsumer> consumer_;
};

TEST_F(OutboxTest, EnvelopeIsCloudEventsWithRawData) {
  std::string id = EnqueueCommitted(Draft("task-1", 3));
  OutboxRelay relay(conninfo_, *js_);
  auto n = relay.RunOnce(*conn_);
  ASSERT_TRUE(n) << n.error().detail;
  EXPECT_EQ(*n, 1u);
  auto messages = consumer_->Fetch(1, 5s);
  ASSERT_TRUE(messages && messages->size() == 1u);
  const Message& m = messages->front();
  EXPECT_EQ(m.Subject(), prefix_ + ".task.updated");
  EXPECT_EQ(m.MsgId(), id);
  std::string body(m.Data());
  EXPECT_TRUE(body.starts_with(R"({"specversion":"1.0","id":")" + id + R"(","source":"/tasks",)"))
      << body;
  EXPECT_NE(body.find(R"("type":")" + prefix_ + R"(.task.updated","subject":"task-1","time":")"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find(R"("datacontenttype":"application/json","entityversion":3,)"
                      R"("requestid":"req-1","data":{"title":"write tests"}})"),
            std::string::npos)
      << body;
}

TEST_F(OutboxTest, CrashBetweenPublishAndMarkRepublishesButConsumerSeesOnce) {
  std::string id = EnqueueCommitted(Draft("task-1", 1));

  OutboxRelay crashing(conninfo_, *js_,
                       OutboxRelayOptions{.after_publish_before_mark = [](std::int64_t) {
                         throw std::runtime_error("simulated crash");
                       }});
  {
    // The crashed process's connection goes away with it.
    auto doomed = Open();
    ASSERT_TRUE(doomed);
    EXPECT_THROW((void)crashing.RunOnce(*doomed), std::runtime_error);
  }
  EXPECT_FALSE(RowSent(id));

  OutboxRelay fresh(conninfo_, *js_);
  auto n = fresh.RunOnce(*conn_);
  ASSERT_TRUE(n) << n.error().detail;
  EXPECT_EQ(*n, 1u);
  EXPECT_TRUE(RowSent(id));

  auto ids = FetchAllIds();
  EXPECT_EQ(std::count(ids.begin(), ids.end(), id), 1);
  EXPECT_EQ(ids.size(), 1u);
}

TEST_F(OutboxTest, EventsComeOutInCommitOrder) {
  std::vector<std::string> expected;
  for (int v = 1; v <= 5; ++v) expected.push_back(EnqueueCommitted(Draft("task-1", v)));
  // Two events of one transaction keep their order too.
  auto pair = conn_->Transaction([&](pg::Connection& tx) -> pg::DbResult<std::vector<std::string>> {
    std::vector<std::string> ids;
    for (int v = 6; v <= 7; ++v) {
      auto id = EnqueueEvent(tx, Draft("task-1", v));
      if (!id) return std::unexpected(id.error());
      ids.push_back(*id);
    }
    return ids;
  });
  ASSERT_TRUE(pair) << pair.error().message;
  expected.insert(expected.end(), pair->begin(), pair->end());

  // A batch smaller than the backlog: order holds across batches as well.
  OutboxRelay relay(conninfo_, *js_, OutboxRelayOptions{.batch = 3});
  std::size_t total = 0;
  for (;;) {
    auto n = relay.RunOnce(*conn_);
    ASSERT_TRUE(n) << n.error().detail;
    if (*n == 0) break;
    total += *n;
  }
  EXPECT_EQ(total, expected.size());
  EXPECT_EQ(FetchAllIds(), expected);
  for (const auto& id : expected) EXPECT_TRUE(RowSent(id));
}

TEST_F(OutboxTest, RolledBackEnqueueIsNeverPublished) {
  std::string rolled_back;
  auto aborted = conn_->Transaction([&](pg::Connection& tx) -> pg::DbResult<void> {
    auto id = EnqueueEvent(tx, Draft("task-1", 1));
    if (!id) return std::unexpected(id.error());
    rolled_back = *id;
    return std::unexpected(pg::DbError{"", "use case failed after enqueue"});
  });
  ASSERT_FALSE(aborted);
  ASSERT_FALSE(rolled_back.empty());
  std::string committed = EnqueueCommitted(Draft("task-2", 1));

  OutboxRelay relay(conninfo_, *js_);
  auto n = relay.RunOnce(*conn_);
  ASSERT_TRUE(n) << n.error().detail;
  EXPECT_EQ(*n, 1u);
  EXPECT_EQ(FetchAllIds(), std::vector<std::string>{committed});
  auto rows = conn_->Execute(kRowCount, {rolled_back});
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->Int(0, 0), 0);
}

TEST_F(OutboxTest, RelayThreadWakesOnNotify) {
  // A poll interval far beyond the await below: only NOTIFY can make the relay publish in time.
  OutboxRelay relay(conninfo_, *js_, OutboxRelayOptions{.poll_interval = 60s});
  relay.Start();

  // The first event proves the thread is up and past LISTEN (it listens before draining).
  std::string first = EnqueueCommitted(Draft("task-1", 1));
  ASSERT_TRUE(AwaitEvent(first, 10s));

  std::string second = EnqueueCommitted(Draft("task-1", 2));
  auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(AwaitEvent(second, 10s));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);

  // The row is marked after the ack, so await that too rather than assuming it.
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!RowSent(second) && std::chrono::steady_clock::now() < deadline) {
  }
  EXPECT_TRUE(RowSent(second));

  auto stop_started = std::chrono::steady_clock::now();
  relay.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - stop_started, 2s);
}

TEST_F(OutboxTest, PublishFailureLeavesRowPendingAndReportsError) {
  // No stream captures this subject: the publish fails and the row must stay pending.
  EventDraft orphan = Draft("task-1", 1);
  orphan.type = "nostream" + suffix_ + ".task.updated";
  std::string id = EnqueueCommitted(orphan);
  OutboxRelay relay(conninfo_, *js_);
  auto n = relay.RunOnce(*conn_);
  EXPECT_FALSE(n);
  EXPECT_FALSE(RowSent(id));
}

TEST_F(OutboxTest, EnqueueEventsStoresDraftsInOrderWithTheirEnvelopes) {
  auto drafts = AwkwardDrafts(40);
  // A type that reads as NULL in an unquoted array literal: the NOT NULL subject column
  // refuses the whole insert if it is taken for one.
  EventDraft null_looking = Draft("task-null", 5);
  null_looking.type = "NULL";
  drafts.insert(drafts.begin() + 1, null_looking);
  std::string time = FormatTimestamp(Clock::now());
  auto done = conn_->Transaction(
      [&](pg::Connection& tx) -> pg::DbResult<void> { return EnqueueEvents(tx, drafts, time); });
  ASSERT_TRUE(done) << done.error().message;

  auto rows = AllRows();
  ASSERT_EQ(rows.size(), drafts.size());
  std::set<std::string> ids;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    SCOPED_TRACE("draft " + std::to_string(i));
    ids.insert(rows[i].event_id);
    EXPECT_EQ(rows[i].subject, drafts[i].type);
    EXPECT_EQ(rows[i].payload, EventEnvelope(drafts[i], rows[i].event_id, time));
    // Independent of EventEnvelope: the data went in byte for byte.
    EXPECT_TRUE(rows[i].payload.ends_with(R"("data":)" + drafts[i].data_json + "}"))
        << rows[i].payload;
  }
  EXPECT_EQ(ids.size(), drafts.size());
}

TEST_F(OutboxTest, EnqueueEventsOfNothingOrRolledBackInsertsNothing) {
  std::string time = FormatTimestamp(Clock::now());
  auto empty = conn_->Transaction(
      [&](pg::Connection& tx) -> pg::DbResult<void> { return EnqueueEvents(tx, {}, time); });
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_TRUE(AllRows().empty());

  auto aborted = conn_->Transaction([&](pg::Connection& tx) -> pg::DbResult<void> {
    if (auto enqueued = EnqueueEvents(tx, AwkwardDrafts(2), time); !enqueued) return enqueued;
    return std::unexpected(pg::DbError{"", "use case failed after enqueue"});
  });
  ASSERT_FALSE(aborted);
  // The insert itself succeeded; only the rollback kept the rows out.
  EXPECT_EQ(aborted.error().message, "use case failed after enqueue");
  EXPECT_TRUE(AllRows().empty());
}

TEST_F(OutboxTest, EnqueueEventsWakesTheRelayWhichPublishesThemInOrder) {
  // A poll interval far beyond the await below: only the NOTIFY can get them published.
  OutboxRelay relay(conninfo_, *js_, OutboxRelayOptions{.poll_interval = 60s});
  relay.Start();
  std::string first = EnqueueCommitted(Draft("task-0", 1));
  ASSERT_TRUE(AwaitEvent(first, 10s));  // the thread is up and listening

  auto drafts = AwkwardDrafts(5);
  std::string time = FormatTimestamp(Clock::now());
  auto done = conn_->Transaction(
      [&](pg::Connection& tx) -> pg::DbResult<void> { return EnqueueEvents(tx, drafts, time); });
  ASSERT_TRUE(done) << done.error().message;
  auto rows = AllRows();
  ASSERT_EQ(rows.size(), drafts.size() + 1);

  struct Received {
    std::string id, subject, data;
  };
  std::vector<Received> received;
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (received.size() < drafts.size() && std::chrono::steady_clock::now() < deadline) {
    auto messages = consumer_->Fetch(100, 200ms);
    ASSERT_TRUE(messages) << messages.error().detail;
    for (auto& m : *messages) {
      EXPECT_TRUE(m.Ack());
      received.push_back({m.MsgId(), std::string(m.Subject()), std::string(m.Data())});
    }
  }
  ASSERT_EQ(received.size(), drafts.size());
  for (std::size_t i = 0; i < drafts.size(); ++i) {
    SCOPED_TRACE("draft " + std::to_string(i));
    const OutboxRow& row = rows[i + 1];
    EXPECT_EQ(received[i].id, row.event_id);
    EXPECT_EQ(received[i].subject, drafts[i].type);
    EXPECT_EQ(received[i].data, EventEnvelope(drafts[i], row.event_id, time));
  }
}

}  // namespace
}  // namespace platform::bus
