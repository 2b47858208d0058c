// The outbox against the local PostgreSQL and nats-server: commit-bound enqueue, in-order
// publishing, crash between publish and mark, and the relay thread woken by NOTIFY.

#include "outbox_fixture.hpp"

namespace platform::bus {
namespace {

TEST_F(OutboxTest, EnvelopeIsCloudEventsWithRawData) {
  std::string id = EnqueueCommitted(Draft("task-1", 3));
  OutboxRelay relay(conninfo_, *js_, Options());
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

  OutboxRelayOptions options = Options();
  options.after_publish_before_mark = [](std::int64_t) {
    throw std::runtime_error("simulated crash");
  };
  OutboxRelay crashing(conninfo_, *js_, options);
  {
    // The crashed process's connection goes away with it.
    auto doomed = Open();
    ASSERT_TRUE(doomed);
    EXPECT_THROW((void)crashing.RunOnce(*doomed), std::runtime_error);
  }
  EXPECT_FALSE(RowSent(id));

  OutboxRelay fresh(conninfo_, *js_, Options());
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
  OutboxRelayOptions options = Options();
  options.batch = 3;
  OutboxRelay relay(conninfo_, *js_, options);
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

  OutboxRelay relay(conninfo_, *js_, Options());
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
  OutboxRelayOptions options = Options();
  options.poll_interval = 60s;
  OutboxRelay relay(conninfo_, *js_, options);
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
  OutboxRelay relay(conninfo_, *js_, Options());
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
  OutboxRelayOptions options = Options();
  options.poll_interval = 60s;
  OutboxRelay relay(conninfo_, *js_, options);
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
