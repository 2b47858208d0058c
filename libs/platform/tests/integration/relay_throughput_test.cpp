// How fast the relay drains a backlog: rows per second, printed rather than asserted (this
// machine's cores are shared, so a wall-clock bound would fail for reasons of its own).

#include <nats/nats.h>

#include <cstdio>
#include <cstdlib>

#include "outbox_fixture.hpp"

namespace platform::bus {
namespace {

// Rows in the backlog: TODO_RELAY_BENCH_ROWS, 50,000 by default.
int BacklogRows() {
  const char* value = std::getenv("TODO_RELAY_BENCH_ROWS");
  return value != nullptr ? std::atoi(value) : 50000;
}

// Entities the rows are about: TODO_RELAY_BENCH_ENTITIES, a tenth of the rows by default (each
// updated ten times, so the state stream replaces nine in ten of its messages).
int BenchEntities(int rows) {
  const char* value = std::getenv("TODO_RELAY_BENCH_ENTITIES");
  return std::max(1, value != nullptr ? std::atoi(value) : rows / 10);
}

// Rows a batch: TODO_RELAY_BENCH_BATCH, the relay's default when unset.
OutboxRelayOptions BenchOptions(OutboxRelayOptions options) {
  if (const char* value = std::getenv("TODO_RELAY_BENCH_BATCH"); value != nullptr) {
    options.batch = std::atoi(value);
  }
  return options;
}

std::uint64_t StreamMessages(JetStream& js, const std::string& stream) {
  jsStreamInfo* info = nullptr;
  if (js_GetStreamInfo(&info, js.RawContext(), stream.c_str(), nullptr, nullptr) != NATS_OK) {
    return 0;
  }
  std::uint64_t messages = info->State.Msgs;
  jsStreamInfo_Destroy(info);
  return messages;
}

TEST_F(OutboxTest, RelayDrainsABacklogAndReportsItsRate) {
  const int rows = BacklogRows();
  // A task's state as the tasks service writes it (about 400 bytes with the envelope), over
  // a tenth as many tasks as events.
  const std::string data =
      R"({"id":"0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b","owner_id":"0190a1b2-c3d4-7e5f-8a9b-)"
      R"(0c1d2e3f4a5c","title":"water the plants","status":"todo","progress":40,)"
      R"("expires_at":null,"on_expire":"keep","version":3})";
  constexpr int kPerTransaction = 1000;
  const int entities = BenchEntities(rows);
  std::string time = FormatTimestamp(Clock::now());
  for (int done = 0; done < rows; done += kPerTransaction) {
    std::vector<EventDraft> drafts;
    for (int i = done; i < std::min(rows, done + kPerTransaction); ++i) {
      drafts.push_back(EventDraft{prefix_ + ".task.updated", "/tasks",
                                  "task-" + std::to_string(i % entities), i, data, "req-1"});
    }
    auto enqueued = conn_->Transaction(
        [&](pg::Connection& tx) -> pg::DbResult<void> { return EnqueueEvents(tx, drafts, time); });
    ASSERT_TRUE(enqueued) << enqueued.error().message;
  }

  // The relay's own loop, as a service runs it.
  OutboxRelay relay(conninfo_, *js_, BenchOptions(Options()));
  auto started = std::chrono::steady_clock::now();
  relay.Start();
  EXPECT_TRUE(testenv::Eventually(
      [&] { return StreamMessages(*js_, stream_) == static_cast<std::uint64_t>(rows); }, 120s,
      5ms));
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  relay.Stop();
  std::printf("relay published %d rows (%d entities) in %.3f s: %.0f rows/s\n", rows, entities,
              seconds, static_cast<double>(rows) / seconds);
  EXPECT_EQ(StreamMessages(*js_, stream_), static_cast<std::uint64_t>(rows));
  EXPECT_EQ(StreamMessages(*js_, state_stream_), static_cast<std::uint64_t>(entities));
}

}  // namespace
}  // namespace platform::bus
