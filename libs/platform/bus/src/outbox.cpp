#include "platform/bus/outbox.hpp"

#include <optional>

#include "outbox_queries.hpp"
#include "platform/json.hpp"
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

// Added after 000_outbox.sql (which services have applied, so it stays as it was).
constexpr std::string_view kStateAndRetentionSql =
    "-- The entity id (the envelope's subject), so the relay can name the state subject\n"
    "-- without parsing the payload; NULL in rows written before it.\n"
    "ALTER TABLE outbox ADD COLUMN IF NOT EXISTS entity text;\n"
    "-- Retention finds the published rows by when they were sent.\n"
    "CREATE INDEX IF NOT EXISTS outbox_sent_idx ON outbox (sent_at) WHERE sent_at IS NOT NULL;\n"
    "-- State subjects whose last message is a deletion, purged from the state stream once\n"
    "-- the history stream can no longer hold an event that would revive the entity.\n"
    "CREATE TABLE IF NOT EXISTS outbox_tombstones (\n"
    "  subject text PRIMARY KEY,\n"
    "  purge_after timestamptz NOT NULL\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS outbox_tombstones_due_idx ON outbox_tombstones (purge_after);\n";

pg::Param Entity(const std::string& subject) {
  if (subject.empty()) return std::nullopt;
  return subject;
}

}  // namespace

std::vector<pg::Migration> OutboxMigrations() {
  return {pg::Migration{"000_outbox.sql", std::string(kOutboxSql)},
          pg::Migration{"000_outbox_state_and_retention.sql", std::string(kStateAndRetentionSql)}};
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
  TODO_TRY_VOID(tx.Execute(queries::kEnqueue, {id, draft.type, Entity(draft.subject),
                                               std::move(payload), std::string(kOutboxChannel)}));
  return id;
}

pg::DbResult<void> EnqueueEvents(pg::Connection& tx, const std::vector<EventDraft>& drafts,
                                 std::string_view time) {
  if (drafts.empty()) return {};
  std::vector<std::string> ids, subjects, payloads;
  std::vector<std::optional<std::string>> entities;
  ids.reserve(drafts.size());
  subjects.reserve(drafts.size());
  entities.reserve(drafts.size());
  payloads.reserve(drafts.size());
  for (const auto& draft : drafts) {
    ids.push_back(NewUuidV7());
    subjects.push_back(draft.type);
    entities.push_back(Entity(draft.subject));
    payloads.push_back(EventEnvelope(draft, ids.back(), time));
  }
  TODO_TRY_VOID(tx.Execute(
      queries::kEnqueueMany,
      {pg::ArrayLiteral(ids), pg::ArrayLiteral(subjects), pg::NullableArrayLiteral(entities),
       pg::ArrayLiteral(payloads), std::string(kOutboxChannel)}));
  return {};
}

}  // namespace platform::bus
