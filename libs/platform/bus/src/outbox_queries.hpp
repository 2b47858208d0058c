#pragma once
// The outbox's statements (the platform keeps its few as pg::Query constants), shared by the
// enqueue, the relay and the retention.

#include <string_view>

#include "platform/pg/query.hpp"

namespace platform::bus::queries {

// One statement, so an enqueue costs one round trip; $5 is the channel (kOutboxChannel, the one
// place that names it). Notifications with the same payload are folded into one per
// transaction and delivered only on commit.
inline constexpr pg::Query kEnqueue{
    "outbox_enqueue",
    "WITH inserted AS (INSERT INTO outbox (event_id, subject, entity, payload) "
    "VALUES ($1, $2, $3, $4) RETURNING id) SELECT pg_notify($5, '') FROM inserted"};
// The bulk form: four array parameters; WITH ORDINALITY keeps the drafts' order in the ids.
inline constexpr pg::Query kEnqueueMany{
    "outbox_enqueue_many",
    "WITH inserted AS (INSERT INTO outbox (event_id, subject, entity, payload) "
    "SELECT e.id, e.subject, e.entity, e.payload "
    "FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) "
    "WITH ORDINALITY AS e(id, subject, entity, payload, n) ORDER BY e.n RETURNING 1) "
    "SELECT pg_notify($5, '') WHERE EXISTS (SELECT 1 FROM inserted)"};

// Claims a batch and marks it sent in one write per row; the marks (and the row locks that
// keep other relays off the batch) last only if the transaction commits after the publish.
// Never `id > last_seen`: ids are taken before commit, so a slow transaction's row would be
// skipped for ever. SKIP LOCKED lets several relays share the work. `= ANY(ARRAY(...))`, not
// `IN (...)`: the latter is planned as a hash join over the whole table, sent rows included.
inline constexpr pg::Query kClaim{
    "outbox_claim",
    "WITH claimed AS (UPDATE outbox SET sent_at = now() WHERE id = ANY(ARRAY("
    "SELECT id FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)) "
    "RETURNING id, event_id, subject, entity, payload) "
    "SELECT id, event_id, subject, entity, payload FROM claimed ORDER BY id"};
// A deletion's state subject, purged from the state stream after $2 seconds.
inline constexpr pg::Query kAddTombstones{
    "outbox_add_tombstones",
    "INSERT INTO outbox_tombstones (subject, purge_after) "
    "SELECT s, now() + make_interval(secs => $2::double precision) FROM unnest($1::text[]) AS s "
    "ON CONFLICT (subject) DO UPDATE SET purge_after = EXCLUDED.purge_after"};
inline constexpr pg::Query kBacklog{"outbox_backlog",
                                    "SELECT count(*) FROM outbox WHERE sent_at IS NULL"};

// Sent rows only (pending ones have sent_at NULL, and a batch being published is still NULL
// to everyone but its relay), found through outbox_sent_idx; SKIP LOCKED keeps two purges
// from waiting on each other.
inline constexpr pg::Query kPurgeSent{
    "outbox_purge_sent",
    "DELETE FROM outbox WHERE id = ANY(ARRAY(SELECT id FROM outbox "
    "WHERE sent_at < now() - make_interval(secs => $1::double precision) "
    "LIMIT $2 FOR UPDATE SKIP LOCKED))"};
inline constexpr pg::Query kDueTombstones{
    "outbox_due_tombstones",
    "SELECT subject FROM outbox_tombstones WHERE purge_after <= now() "
    "ORDER BY purge_after LIMIT $1 FOR UPDATE SKIP LOCKED"};
inline constexpr pg::Query kDropTombstones{
    "outbox_drop_tombstones", "DELETE FROM outbox_tombstones WHERE subject = ANY($1::text[])"};

}  // namespace platform::bus::queries
