#include <algorithm>
#include <exception>
#include <optional>
#include <unordered_map>

#include "outbox_queries.hpp"
#include "platform/bus/event_streams.hpp"
#include "platform/bus/outbox.hpp"
#include "platform/json.hpp"
#include "platform/log.hpp"
#include "platform/pg/array_literal.hpp"
#include "platform/try.hpp"

namespace platform::bus {
namespace {

constexpr BackgroundLoop::Backoff kBackoff{std::chrono::milliseconds(100),
                                           std::chrono::milliseconds(5000)};
// WaitNotification cannot be interrupted, so the relay waits in slices to notice Stop.
constexpr std::chrono::milliseconds kWaitSlice{100};
// Both waits of a batch (state, then history) together stay well inside the ack wait of the
// server and the duplicate window.
constexpr std::chrono::seconds kAckTimeout{10};

// What one batch of claimed rows publishes: every row to history, and the newest row of each
// entity that keeps state to the state stream (which keeps only the newest anyway).
struct BatchMessages {
  std::vector<std::int64_t> ids;
  std::vector<OutgoingMessage> history;
  std::vector<OutgoingMessage> state;
  std::vector<bool> state_is_deletion;  // per state message: its tombstone is to be purged
};

// The entity id of a row written before the entity column existed: the envelope's subject.
std::string EntityFromPayload(std::string_view payload) {
  auto object = StrictObject::Parse(payload);
  if (!object) return {};
  return object->OptionalString("subject").value_or("");
}

pg::DbResult<BatchMessages> ToMessages(const pg::Rows& rows, const OutboxRelayOptions& opts) {
  BatchMessages out;
  const auto n = static_cast<std::size_t>(rows.Size());
  out.ids.reserve(n);
  out.history.reserve(n);
  out.state.reserve(n);
  std::unordered_map<std::string, std::size_t> state_slot;  // subject -> index in out.state
  for (int i = 0; i < rows.Size(); ++i) {
    pg::Row row = rows.At(i);
    TODO_TRY(std::int64_t id, row.Int("id"));
    TODO_TRY(auto event_id, row.Text("event_id"));
    TODO_TRY(auto type, row.Text("subject"));
    TODO_TRY(auto entity, row.OptionalText("entity"));
    TODO_TRY(auto payload, row.Text("payload"));
    out.ids.push_back(id);
    std::string entity_id = entity ? std::move(*entity) : EntityFromPayload(payload);
    if (auto subject = StateSubject(opts.state_prefix, type, entity_id)) {
      OutgoingMessage state{*subject, payload, event_id};
      bool deletion = IsDeletion(type);
      auto [slot, fresh] = state_slot.try_emplace(std::move(*subject), out.state.size());
      if (fresh) {
        out.state.push_back(std::move(state));
        out.state_is_deletion.push_back(deletion);
      } else {
        out.state[slot->second] = std::move(state);
        out.state_is_deletion[slot->second] = deletion;
      }
    }
    out.history.push_back({std::move(type), std::move(payload), std::move(event_id)});
  }
  return out;
}

}  // namespace

OutboxRelay::OutboxRelay(std::string pg_conninfo, JetStream& js, OutboxRelayOptions opts)
    : conninfo_(std::move(pg_conninfo)),
      js_(js),
      opts_(std::move(opts)),
      published_(metrics::DefaultRegistry().GetCounter(
          "outbox_published_total", "Outbox events published to JetStream and marked sent")),
      purged_(metrics::DefaultRegistry().GetCounter(
          "outbox_purged_total", "Published outbox rows deleted after the retention")),
      tombstones_purged_(metrics::DefaultRegistry().GetCounter(
          "outbox_tombstones_purged_total", "Deletions' tombstones purged from the state stream")),
      backlog_(std::make_shared<std::atomic<std::int64_t>>(0)),
      loop_("outbox relay", this, &OutboxRelay::Step, kBackoff) {
  metrics::DefaultRegistry().AddCallbackGauge(
      "outbox_backlog", "Outbox events not yet published (as last seen by the relay)",
      [backlog = backlog_] { return static_cast<double>(backlog->load()); });
}

OutboxRelay::~OutboxRelay() { Stop(); }

void OutboxRelay::Start() { loop_.Start(); }

void OutboxRelay::Stop() {
  loop_.Stop();
  conn_.reset();
}

Result<std::size_t> OutboxRelay::RunOnce(pg::Connection& conn) {
  std::size_t sent = 0;
  std::optional<Error> publish_error;
  auto publish = [&](const std::vector<OutgoingMessage>& messages) {
    if (messages.empty() || publish_error) return;
    if (auto published = js_.PublishBatch(messages, kAckTimeout); !published) {
      publish_error = published.error();
    }
  };
  auto batch = [&](pg::Connection& tx) -> pg::DbResult<void> {
    TODO_TRY(auto rows, tx.Execute(queries::kClaim, {std::to_string(opts_.batch)}));
    if (rows.Empty()) return {};
    TODO_TRY(auto out, ToMessages(rows, opts_));
    // State first, acknowledged, then history: an event a reader finds in history is already
    // in the state stream. In order on one connection, acknowledgements awaited together; a
    // failure rolls the marks back and the whole batch is published again (duplicates dropped).
    publish(out.state);
    publish(out.history);
    if (publish_error) return std::unexpected(pg::DbError{"", "publish failed"});
    if (opts_.after_publish_before_mark) {
      for (std::int64_t id : out.ids) opts_.after_publish_before_mark(id);
    }
    std::vector<std::string> tombstones;
    for (std::size_t i = 0; i < out.state.size(); ++i) {
      if (out.state_is_deletion[i]) tombstones.push_back(out.state[i].subject);
    }
    if (!tombstones.empty()) {
      TODO_TRY_VOID(
          tx.Execute(queries::kAddTombstones,
                     {pg::ArrayLiteral(tombstones), std::to_string(opts_.tombstone_age.count())}));
    }
    // A lost commit only republishes the batch, which the streams drop as duplicates: the
    // marks need not wait for the WAL flush.
    TODO_TRY_VOID(tx.ExecuteScript("SET LOCAL synchronous_commit = off"));
    sent = out.ids.size();
    return {};
  };

  pg::DbResult<void> done;
  try {
    done = conn.Transaction(batch);
  } catch (...) {
    // What a crash would do: the rows stay pending, unlocked, for the next relay.
    (void)conn.ExecuteScript("ROLLBACK");
    throw;
  }
  if (publish_error) return std::unexpected(*publish_error);
  TODO_TRY_VOID(std::move(done));
  published_.Inc(sent);
  return sent;
}

void OutboxRelay::RefreshBacklog(pg::Connection& conn) {
  auto rows = conn.Execute(queries::kBacklog);
  if (!rows || rows->Empty()) return;
  if (auto count = rows->At(0).Int("count"); count) backlog_->store(*count);
}

BackgroundLoop::Next OutboxRelay::Failed(std::string_view what, std::string_view error) {
  log::Warn("outbox relay failed", {{"op", what}, {"error", error}});
  // A broken connection is replaced; anything else is retried on the same one.
  if (conn_ && !conn_->Healthy()) conn_.reset();
  return BackgroundLoop::Next::Failed();
}

BackgroundLoop::Next OutboxRelay::Step() {
  try {
    if (!conn_) {
      auto opened = pg::Connection::Open(conninfo_);
      if (!opened) return Failed("connect", opened.error().message);
      conn_ = std::move(*opened);
      if (auto listening = conn_->ExecuteScript("LISTEN " + std::string(kOutboxChannel));
          !listening) {
        conn_.reset();
        return Failed("listen", listening.error().message);
      }
    }

    // Drain: a full batch means more may be waiting.
    while (!loop_.Stopping()) {
      auto n = RunOnce(*conn_);
      if (!n) return Failed("publish", n.error().detail);
      if (*n < static_cast<std::size_t>(opts_.batch)) break;
    }
    RefreshBacklog(*conn_);
    // Retention failing is no reason to stop publishing: it is retried at the next interval.
    auto more = Maintain(*conn_);
    if (!more) {
      log::Warn("outbox retention failed", {{"error", more.error().detail}});
      next_maintenance_ = std::chrono::steady_clock::now() + opts_.maintenance_interval;
    } else if (*more) {
      return BackgroundLoop::Next::Now();
    }

    // Idle until a commit notifies us or the poll interval passes.
    auto deadline = std::chrono::steady_clock::now() + opts_.poll_interval;
    bool notified = false;
    while (!loop_.Stopping() && !notified) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left <= std::chrono::milliseconds::zero()) break;
      auto note = conn_->WaitNotification(std::min(left, kWaitSlice));
      if (!note) {
        conn_.reset();
        return Failed("wait", note.error().message);
      }
      notified = note->has_value();
    }
    // Several commits may have notified: one pass publishes them all, so drop the rest.
    while (notified) {
      auto more_notes = conn_->WaitNotification(std::chrono::milliseconds::zero());
      if (!more_notes || !more_notes->has_value()) break;
    }
    return BackgroundLoop::Next::Now();
  } catch (const std::exception& e) {
    conn_.reset();
    return Failed("exception", e.what());
  } catch (...) {
    conn_.reset();
    return Failed("exception", "unknown");
  }
}

}  // namespace platform::bus
