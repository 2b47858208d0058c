#pragma once
// Transactional outbox: events are written with the state change in one transaction, and a
// relay publishes them to JetStream afterwards, in order, marking each sent once acked.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "platform/background_loop.hpp"
#include "platform/bus/jetstream.hpp"
#include "platform/error.hpp"
#include "platform/metrics.hpp"
#include "platform/pg/connection.hpp"
#include "platform/pg/migrations.hpp"

namespace platform::bus {

// The channel EnqueueEvent notifies on commit and the relay listens on.
inline constexpr std::string_view kOutboxChannel = "todo_outbox";

// The outbox table; services apply it with their own migrations (scope of their choosing).
std::vector<pg::Migration> OutboxMigrations();

// EventDraft: what a use case knows about an event; EnqueueEvent adds the envelope.
struct EventDraft {
  std::string type;     // e.g. "todo.user.created"; also the NATS subject
  std::string source;   // e.g. "/identity"
  std::string subject;  // the entity id
  std::int64_t entity_version = 0;
  std::string data_json;  // the entity's whole state, already serialised
  std::string request_id;
};

// Builds the CloudEvents 1.0 JSON envelope of a draft with the given id and time.
std::string EventEnvelope(const EventDraft& draft, std::string_view event_id,
                          std::string_view time);

// Inserts the event inside the caller's open transaction; returns its id (a UUIDv7). The
// relay is woken when that transaction commits, and never sees it if it rolls back.
pg::DbResult<std::string> EnqueueEvent(pg::Connection& tx, const EventDraft& draft);
// Inserts many events in one statement (in the drafts' order, all stamped with `time`), for
// writers of many changes at once such as the expiry scheduler.
pg::DbResult<void> EnqueueEvents(pg::Connection& tx, const std::vector<EventDraft>& drafts,
                                 std::string_view time);

// OutboxRelayOptions: batch size, idle polling, retention, the state stream, and a hook for
// crash tests. ReadOutboxRelayOptions (relay_settings.hpp) reads them from the environment.
struct OutboxRelayOptions {
  // Rows published per transaction (one PostgreSQL round trip and one wait for acks each).
  int batch = 1000;
  // Upper bound on how late a row is noticed when a notification is lost.
  std::chrono::milliseconds poll_interval{500};
  // How long a published row stays in the outbox before it is deleted (never 0: a row is
  // only deleted once it has been sent and the grace has passed).
  std::chrono::seconds retention{600};
  // Rows deleted per statement, so the purge never holds many row locks for long.
  int purge_batch = 1000;
  // How often the relay's loop purges sent rows and due tombstones at most.
  std::chrono::milliseconds maintenance_interval{5000};
  // How long a deletion's tombstone stays in the state stream: the history stream's max age,
  // so no retained history event can revive the entity in a rebuild.
  std::chrono::seconds tombstone_age{90LL * 86400};
  // Where the state of task, user and list events goes (event_streams.hpp).
  std::string state_stream = "TODO_STATE";
  std::string state_prefix = "state";
  // Test hook: may throw to simulate a crash between a publish and the row being marked.
  std::function<void(std::int64_t outbox_id)> after_publish_before_mark = {};
};

// OutboxRelay: publishes pending outbox rows in id order on a BackgroundLoop; a repeat
// after a crash is dropped by the streams' duplicate window (Nats-Msg-Id = event id). Each
// row of a kind that keeps state also goes to the state stream, before its batch goes to
// history, so whatever a reader finds in history is already reflected in the state stream.
class OutboxRelay {
 public:
  OutboxRelay(std::string pg_conninfo, JetStream& js, OutboxRelayOptions opts = {});
  ~OutboxRelay();
  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  // Starts the thread (own connection, LISTEN, reconnects with backoff); idempotent.
  void Start();
  // Stops and joins the thread; idempotent.
  void Stop();

  // Publishes one batch in one transaction; returns how many rows were published and marked.
  // Any failed publish fails the batch: no row of it is marked, and the error is returned.
  Result<std::size_t> RunOnce(pg::Connection& conn);
  // Deletes up to purge_batch sent rows older than the retention; returns how many.
  Result<std::size_t> PurgeSent(pg::Connection& conn);
  // Purges the due tombstones from the state stream; returns how many subjects it purged.
  Result<std::size_t> PurgeTombstones(pg::Connection& conn);

 private:
  // One pass of the loop: connect if need be, drain, maintain, then wait for a notification.
  BackgroundLoop::Next Step();
  // The purges, when maintenance_interval has passed; true when work was left for later.
  Result<bool> Maintain(pg::Connection& conn);
  // Logs a failed step and drops a broken connection; the loop backs off.
  BackgroundLoop::Next Failed(std::string_view what, std::string_view error);
  void RefreshBacklog(pg::Connection& conn);

  std::string conninfo_;
  JetStream& js_;
  OutboxRelayOptions opts_;
  metrics::Counter& published_;
  metrics::Counter& purged_;
  metrics::Counter& tombstones_purged_;
  // Shared with the metrics callback, which may outlive the relay.
  std::shared_ptr<std::atomic<std::int64_t>> backlog_;

  // The relay's own connection (LISTEN); used by the loop's thread only, dropped on Stop.
  std::unique_ptr<pg::Connection> conn_;
  std::chrono::steady_clock::time_point next_maintenance_{};
  BackgroundLoop loop_;
};

}  // namespace platform::bus
