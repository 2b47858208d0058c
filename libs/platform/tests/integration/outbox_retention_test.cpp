// Outbox retention: published rows older than the grace are deleted in batches, newer and
// pending ones stay, and a purge racing a publishing relay loses no event.

#include "outbox_fixture.hpp"
#include "platform/metrics.hpp"

namespace platform::bus {
namespace {

constexpr pg::Query kAgeSent{
    "test_outbox_age_sent",
    "UPDATE outbox SET sent_at = now() - interval '1 hour' WHERE event_id = ANY($1::uuid[])"};
constexpr pg::Query kCount{"test_outbox_count", "SELECT count(*) FROM outbox"};

std::string UuidArray(const std::vector<std::string>& ids) {
  std::string out = "{";
  for (std::size_t i = 0; i < ids.size(); ++i) out += (i > 0 ? "," : "") + ids[i];
  return out + "}";
}

class OutboxRetentionTest : public OutboxTest {
 protected:
  std::int64_t Rows() {
    auto rows = conn_->Execute(kCount);
    EXPECT_TRUE(rows) << rows.error().message;
    return rows ? rows->Int(0, 0) : -1;
  }

  std::uint64_t Purged() {
    return metrics::DefaultRegistry()
        .GetCounter("outbox_purged_total", "Published outbox rows deleted after the retention")
        .Value();
  }
};

TEST_F(OutboxRetentionTest, DeletesSentRowsOlderThanTheGraceOnly) {
  std::vector<std::string> old_ids, new_ids;
  for (int i = 0; i < 3; ++i) old_ids.push_back(EnqueueCommitted(Draft("task-old", i)));
  for (int i = 0; i < 2; ++i) new_ids.push_back(EnqueueCommitted(Draft("task-new", i)));
  OutboxRelay relay(conninfo_, *js_, Options());
  auto n = relay.RunOnce(*conn_);
  ASSERT_TRUE(n) << n.error().detail;
  ASSERT_EQ(*n, 5u);
  ASSERT_TRUE(conn_->Execute(kAgeSent, {UuidArray(old_ids)}));
  std::vector<std::string> pending;
  for (int i = 0; i < 2; ++i) pending.push_back(EnqueueCommitted(Draft("task-pending", i)));

  std::uint64_t purged_before = Purged();
  auto deleted = relay.PurgeSent(*conn_);
  ASSERT_TRUE(deleted) << deleted.error().detail;
  EXPECT_EQ(*deleted, 3u);
  EXPECT_EQ(Purged() - purged_before, 3u);
  EXPECT_EQ(Rows(), 4);
  for (const auto& id : new_ids) EXPECT_TRUE(RowSent(id));
  for (const auto& id : pending) EXPECT_FALSE(RowSent(id));
  auto again = relay.PurgeSent(*conn_);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0u);
}

TEST_F(OutboxRetentionTest, DeletesAtMostABatchPerStatement) {
  std::string time = FormatTimestamp(Clock::now());
  std::vector<EventDraft> drafts;
  for (int i = 0; i < 35; ++i) drafts.push_back(Draft("task-" + std::to_string(i), 1));
  ASSERT_TRUE(conn_->Transaction(
      [&](pg::Connection& tx) -> pg::DbResult<void> { return EnqueueEvents(tx, drafts, time); }));
  OutboxRelayOptions options = Options();
  options.purge_batch = 10;
  OutboxRelay relay(conninfo_, *js_, options);
  ASSERT_TRUE(relay.RunOnce(*conn_));
  std::vector<std::string> ids;
  for (const auto& row : AllRows()) ids.push_back(row.event_id);
  ASSERT_TRUE(conn_->Execute(kAgeSent, {UuidArray(ids)}));
  std::vector<std::size_t> passes;
  for (;;) {
    auto deleted = relay.PurgeSent(*conn_);
    ASSERT_TRUE(deleted) << deleted.error().detail;
    passes.push_back(*deleted);
    if (*deleted == 0) break;
  }
  EXPECT_EQ(passes, (std::vector<std::size_t>{10, 10, 10, 5, 0}));
  EXPECT_EQ(Rows(), 0);
}

TEST_F(OutboxRetentionTest, PurgeRacingTheRelayLosesNothing) {
  // The relay's own loop purges every 20 ms with a one-second grace while rows keep coming.
  OutboxRelayOptions options = Options();
  options.retention = 1s;
  options.maintenance_interval = 20ms;
  options.batch = 50;
  options.purge_batch = 20;
  OutboxRelay relay(conninfo_, *js_, options);
  relay.Start();
  std::set<std::string> expected;
  std::string time = FormatTimestamp(Clock::now());
  auto started = std::chrono::steady_clock::now();
  for (int t = 0; t < 40; ++t) {
    std::vector<EventDraft> drafts;
    for (int i = 0; i < 50; ++i) drafts.push_back(Draft("task-" + std::to_string(t), i));
    ASSERT_TRUE(conn_->Transaction(
        [&](pg::Connection& tx) -> pg::DbResult<void> { return EnqueueEvents(tx, drafts, time); }));
    // Spread over more than the grace, so purges run between publishes.
    if (t % 10 == 9) {
      ASSERT_TRUE(testenv::Eventually(
          [&] {
            return std::chrono::steady_clock::now() - started >
                   std::chrono::milliseconds(400 * (t / 10 + 1));
          },
          2s));
    }
  }
  for (const auto& row : AllRows()) expected.insert(row.event_id);

  std::vector<std::string> received;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (received.size() < 2000 && std::chrono::steady_clock::now() < deadline) {
    auto messages = consumer_->Fetch(500, 500ms);
    ASSERT_TRUE(messages) << messages.error().detail;
    for (auto& m : *messages) {
      received.push_back(m.MsgId());
      EXPECT_TRUE(m.Ack());
    }
  }
  EXPECT_EQ(received.size(), 2000u);
  std::set<std::string> unique(received.begin(), received.end());
  EXPECT_EQ(unique.size(), received.size());
  // Every row enqueued and still present when listed, and every one received: none lost.
  for (const auto& id : expected) EXPECT_TRUE(unique.contains(id)) << id;
  // And the relay's loop deletes them all once the grace has passed.
  EXPECT_TRUE(testenv::Eventually([&] { return Rows() == 0; }, 15s, 50ms));
  relay.Stop();
}

}  // namespace
}  // namespace platform::bus
