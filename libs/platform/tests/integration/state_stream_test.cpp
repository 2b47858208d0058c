// The compacted state stream: one message per entity however often it changes, only the kinds
// that keep state, deletions' tombstones purged after the history's age and not before, and a
// batch that cannot reach the state stream is not marked sent.

#include <map>

#include "outbox_fixture.hpp"
#include "platform/bus/stream_reader.hpp"

namespace platform::bus {
namespace {

constexpr pg::Query kTombstones{"test_outbox_tombstones", "SELECT count(*) FROM outbox_tombstones"};
constexpr pg::Query kInsertLegacyRow{
    "test_outbox_insert_legacy",
    "INSERT INTO outbox (event_id, subject, payload) VALUES ($1, $2, $3)"};

class StateStreamTest : public OutboxTest {
 protected:
  // Publishes every pending row.
  void Drain(OutboxRelay& relay) {
    for (;;) {
      auto n = relay.RunOnce(*conn_);
      ASSERT_TRUE(n) << n.error().detail;
      if (*n == 0) return;
    }
  }

  std::uint64_t Messages(const std::string& stream) {
    auto state = js_->State(stream);
    EXPECT_TRUE(state) << state.error().detail;
    return state ? state->messages : 0;
  }

  // Subject -> data of every message the state stream holds.
  std::map<std::string, std::string> StateMessages() {
    std::map<std::string, std::string> out;
    auto read = ReadStreamToEnd(*js_, state_stream_, state_prefix_ + ".>",
                                [&](const Message& m) -> Result<void> {
                                  out[std::string(m.Subject())] = std::string(m.Data());
                                  return {};
                                });
    EXPECT_TRUE(read) << read.error().detail;
    return out;
  }

  std::int64_t TombstoneRows() {
    auto rows = conn_->Execute(kTombstones);
    EXPECT_TRUE(rows) << rows.error().message;
    return rows ? rows->Int(0, 0) : -1;
  }
};

TEST_F(StateStreamTest, HoldsOneMessagePerEntityWithItsNewestState) {
  constexpr int kEntities = 7;
  constexpr int kVersions = 30;
  std::string time = FormatTimestamp(Clock::now());
  std::vector<EventDraft> drafts;
  for (int v = 1; v <= kVersions; ++v) {
    for (int e = 0; e < kEntities; ++e) {
      drafts.push_back(EventDraft{prefix_ + ".task.updated", "/tasks", "task-" + std::to_string(e),
                                  v, R"({"version":)" + std::to_string(v) + "}", ""});
    }
  }
  auto done = conn_->Transaction(
      [&](pg::Connection& tx) -> pg::DbResult<void> { return EnqueueEvents(tx, drafts, time); });
  ASSERT_TRUE(done) << done.error().message;

  // Batches that split an entity's updates, so compaction happens in the stream, not only
  // within a batch.
  OutboxRelayOptions options = Options();
  options.batch = 11;
  OutboxRelay relay(conninfo_, *js_, options);
  Drain(relay);

  EXPECT_EQ(Messages(stream_), static_cast<std::uint64_t>(kEntities * kVersions));
  EXPECT_EQ(Messages(state_stream_), static_cast<std::uint64_t>(kEntities));
  auto state = StateMessages();
  ASSERT_EQ(state.size(), static_cast<std::size_t>(kEntities));
  for (int e = 0; e < kEntities; ++e) {
    const std::string& data = state[state_prefix_ + ".task.task-" + std::to_string(e)];
    EXPECT_TRUE(data.ends_with(R"("data":{"version":30}})")) << data;
  }
}

TEST_F(StateStreamTest, OnlyTasksUsersAndListsKeepState) {
  std::vector<std::string> kept{
      EnqueueCommitted({prefix_ + ".user.created", "/identity", "u-1", 1, "{}", ""}),
      EnqueueCommitted({prefix_ + ".list.created", "/tasks", "l-1", 1, "{}", ""}),
      EnqueueCommitted({prefix_ + ".task.created", "/tasks", "t-1", 1, "{}", ""})};
  EnqueueCommitted({prefix_ + ".session.revoked", "/identity", "s-1", 1, "{}", ""});
  EnqueueCommitted({prefix_ + ".tasks.created", "/tasks", "t-2", 1, "{}", ""});
  // An id that cannot be a subject token goes to history only.
  EnqueueCommitted({prefix_ + ".task.created", "/tasks", "t.3", 1, "{}", ""});
  OutboxRelay relay(conninfo_, *js_, Options());
  Drain(relay);
  EXPECT_EQ(Messages(stream_), 6u);
  auto state = StateMessages();
  EXPECT_EQ(state.size(), 3u);
  EXPECT_TRUE(state.contains(state_prefix_ + ".user.u-1"));
  EXPECT_TRUE(state.contains(state_prefix_ + ".list.l-1"));
  EXPECT_TRUE(state.contains(state_prefix_ + ".task.t-1"));
}

TEST_F(StateStreamTest, RowWithoutEntityColumnTakesTheEnvelopesSubject) {
  // As a row written before the entity column existed.
  EventDraft draft{prefix_ + ".task.created", "/tasks", "legacy-1", 1, R"({"a":1})", ""};
  std::string id = NewUuidV7();
  ASSERT_TRUE(conn_->Execute(kInsertLegacyRow,
                             {id, draft.type, EventEnvelope(draft, id, "2026-01-01T00:00:00Z")}));
  OutboxRelay relay(conninfo_, *js_, Options());
  Drain(relay);
  auto state = StateMessages();
  ASSERT_EQ(state.size(), 1u);
  EXPECT_TRUE(state.contains(state_prefix_ + ".task.legacy-1"));
}

TEST_F(StateStreamTest, MissingStateStreamFailsTheBatchAndMarksNothing) {
  ASSERT_TRUE(js_->DeleteStream(state_stream_));
  std::string id = EnqueueCommitted(Draft("task-1", 1));
  OutboxRelay relay(conninfo_, *js_, Options());
  auto n = relay.RunOnce(*conn_);
  EXPECT_FALSE(n);
  EXPECT_FALSE(RowSent(id));
  // State goes first: history saw nothing of the failed batch either.
  EXPECT_EQ(Messages(stream_), 0u);
}

TEST_F(StateStreamTest, TombstoneIsPurgedAfterTheHistorysAgeAndNotBefore) {
  EnqueueCommitted({prefix_ + ".task.created", "/tasks", "gone", 1, "{}", ""});
  EnqueueCommitted({prefix_ + ".task.deleted", "/tasks", "gone", 2, "{}", ""});
  EnqueueCommitted({prefix_ + ".task.created", "/tasks", "kept", 1, "{}", ""});
  OutboxRelayOptions options = Options();
  options.tombstone_age = 2s;
  OutboxRelay relay(conninfo_, *js_, options);
  Drain(relay);
  auto deadline = std::chrono::steady_clock::now() + options.tombstone_age;

  // The deletion is the subject's last message, and stays until the age has passed.
  auto state = StateMessages();
  ASSERT_EQ(state.size(), 2u);
  EXPECT_NE(state[state_prefix_ + ".task.gone"].find(R"("type":")" + prefix_ + ".task.deleted"),
            std::string::npos);
  EXPECT_EQ(TombstoneRows(), 1);
  auto early = relay.PurgeTombstones(*conn_);
  ASSERT_TRUE(early) << early.error().detail;
  if (std::chrono::steady_clock::now() < deadline) {
    EXPECT_EQ(*early, 0u);
    EXPECT_EQ(Messages(state_stream_), 2u);
  }

  ASSERT_TRUE(testenv::Eventually(
      [&] {
        auto purged = relay.PurgeTombstones(*conn_);
        return purged && *purged == 1;
      },
      10s, 100ms));
  EXPECT_GE(std::chrono::steady_clock::now(), deadline);
  state = StateMessages();
  EXPECT_EQ(state.size(), 1u);
  EXPECT_TRUE(state.contains(state_prefix_ + ".task.kept"));
  EXPECT_EQ(TombstoneRows(), 0);
}

}  // namespace
}  // namespace platform::bus
