#include "platform/bus/outbox.hpp"

#include <algorithm>
#include <exception>
#include <optional>

#include "platform/json.hpp"
#include "platform/log.hpp"
#include "platform/pg/array_literal.hpp"
#include "platform/time.hpp"
#include "platform/try.hpp"
#include "platform/uuid.hpp"

namespace platform::bus {
namespace {

constexpr std::string_view kOutboxSql =
    "CREATE TABLE IF NOT EXISTS outbox (\n"
    "  id bigserial PRIMARY KEY,\n"
    "  event_id uuid NOT NULL UNIQUE,\n"
    "  subject text NOT NULL,\n"
    "  payload text NOT NULL,\n"
    "  created_at timestamptz NOT NULL DEFAULT now(),\n"
    "  sent_at timestamptz\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS outbox_pending_idx ON outbox (id) WHERE sent_at IS NULL;\n";

// One statement, so an enqueue costs one round trip; $4 is the channel (kOutboxChannel, the one
// place that names it). Notifications with the same payload are
// folded into one per transaction and delivered only on commit.
constexpr pg::Query kEnqueue{
    "outbox_enqueue",
    "WITH inserted AS (INSERT INTO outbox (event_id, subject, payload) VALUES ($1, $2, $3) "
    "RETURNING id) SELECT pg_notify($4, '') FROM inserted"};
// The bulk form: three array parameters; WITH ORDINALITY keeps the drafts' order in the ids.
constexpr pg::Query kEnqueueMany{
    "outbox_enqueue_many",
    "WITH inserted AS (INSERT INTO outbox (event_id, subject, payload) "
    "SELECT e.id, e.subject, e.payload FROM unnest($1::uuid[], $2::text[], $3::text[]) "
    "WITH ORDINALITY AS e(id, subject, payload, n) ORDER BY e.n RETURNING 1) "
    "SELECT pg_notify($4, '') WHERE EXISTS (SELECT 1 FROM inserted)"};
// Never `id > last_seen`: ids are taken before commit, so a slow transaction's row would be
// skipped for ever. SKIP LOCKED lets several relays share the work.
constexpr pg::Query kPending{"outbox_pending",
                             "SELECT id, event_id, subject, payload FROM outbox "
                             "WHERE sent_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED"};
constexpr pg::Query kMarkSent{"outbox_mark_sent",
                              "UPDATE outbox SET sent_at = now() WHERE id = ANY($1::bigint[])"};
constexpr pg::Query kBacklog{"outbox_backlog", "SELECT count(*) FROM outbox WHERE sent_at IS NULL"};

constexpr BackgroundLoop::Backoff kBackoff{std::chrono::milliseconds(100),
                                           std::chrono::milliseconds(5000)};
// WaitNotification cannot be interrupted, so the relay waits in slices to notice Stop.
constexpr std::chrono::milliseconds kWaitSlice{100};

std::string IdArray(const std::vector<std::int64_t>& ids) {
  std::string out = "{";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(ids[i]);
  }
  return out + "}";
}

}  // namespace

std::vector<pg::Migration> OutboxMigrations() {
  return {pg::Migration{"000_outbox.sql", std::string(kOutboxSql)}};
}

std::string EventEnvelope(const EventDraft& draft, std::string_view event_id,
                          std::string_view time) {
  JsonWriter w;
  w.StartObject();
  w.Field("specversion", "1.0");
  w.Field("id", event_id);
  w.Field("source", draft.source);
  w.Field("type", draft.type);
  w.Field("subject", draft.subject);
  w.Field("time", time);
  w.Field("datacontenttype", "application/json");
  w.Field("entityversion", draft.entity_version);
  if (!draft.request_id.empty()) w.Field("requestid", draft.request_id);
  w.Key("data");
  w.Raw(draft.data_json);
  w.EndObject();
  return w.Take();
}

pg::DbResult<std::string> EnqueueEvent(pg::Connection& tx, const EventDraft& draft) {
  std::string id = NewUuidV7();
  std::string payload = EventEnvelope(draft, id, FormatTimestamp(Clock::now()));
  TODO_TRY_VOID(
      tx.Execute(kEnqueue, {id, draft.type, std::move(payload), std::string(kOutboxChannel)}));
  return id;
}

pg::DbResult<void> EnqueueEvents(pg::Connection& tx, const std::vector<EventDraft>& drafts,
                                 std::string_view time) {
  if (drafts.empty()) return {};
  std::vector<std::string> ids, subjects, payloads;
  ids.reserve(drafts.size());
  subjects.reserve(drafts.size());
  payloads.reserve(drafts.size());
  for (const auto& draft : drafts) {
    ids.push_back(NewUuidV7());
    subjects.push_back(draft.type);
    payloads.push_back(EventEnvelope(draft, ids.back(), time));
  }
  TODO_TRY_VOID(
      tx.Execute(kEnqueueMany, {pg::ArrayLiteral(ids), pg::ArrayLiteral(subjects),
                                pg::ArrayLiteral(payloads), std::string(kOutboxChannel)}));
  return {};
}

OutboxRelay::OutboxRelay(std::string pg_conninfo, JetStream& js, OutboxRelayOptions opts)
    : conninfo_(std::move(pg_conninfo)),
      js_(js),
      opts_(std::move(opts)),
      published_(metrics::DefaultRegistry().GetCounter(
          "outbox_published_total", "Outbox events published to JetStream and marked sent")),
      backlog_(std::make_shared<std::atomic<std::int64_t>>(0)),
      loop_("outbox relay", [this] { return Step(); }, kBackoff) {
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
  std::vector<std::int64_t> sent;
  std::optional<Error> publish_error;
  auto batch = [&](pg::Connection& tx) -> pg::DbResult<void> {
    TODO_TRY(auto rows, tx.Execute(kPending, {std::to_string(opts_.batch)}));
    // In order on one connection, acknowledgements awaited together: the stream stores them
    // in the order sent, and one failure republishes the whole batch (duplicates dropped).
    std::vector<OutgoingMessage> batch;
    batch.reserve(static_cast<std::size_t>(rows.Size()));
    for (int i = 0; i < rows.Size(); ++i) {
      pg::Row row = rows.At(i);
      TODO_TRY(auto event_id, row.Text("event_id"));
      TODO_TRY(auto subject, row.Text("subject"));
      TODO_TRY(auto payload, row.Text("payload"));
      batch.push_back({std::move(subject), std::move(payload), std::move(event_id)});
    }
    if (!batch.empty()) {
      if (auto published = js_.PublishBatch(batch, std::chrono::seconds(5)); !published) {
        publish_error = published.error();
        return {};
      }
    }
    for (int i = 0; i < rows.Size(); ++i) {
      TODO_TRY(std::int64_t id, rows.At(i).Int("id"));
      if (opts_.after_publish_before_mark) opts_.after_publish_before_mark(id);
      sent.push_back(id);
    }
    if (sent.empty()) return {};
    TODO_TRY_VOID(tx.Execute(kMarkSent, {IdArray(sent)}));
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
  TODO_TRY_VOID(std::move(done));
  published_.Inc(sent.size());
  if (publish_error) return std::unexpected(*publish_error);
  return sent.size();
}

void OutboxRelay::RefreshBacklog(pg::Connection& conn) {
  auto rows = conn.Execute(kBacklog);
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
      auto more = conn_->WaitNotification(std::chrono::milliseconds::zero());
      if (!more || !more->has_value()) break;
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
