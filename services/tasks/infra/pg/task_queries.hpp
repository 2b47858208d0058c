#pragma once
// Every SQL statement of the tasks service, named and parameterised. The list statements are
// spelled out per sort order at compile time (no SQL is assembled at run time).

#include "platform/pg/connection.hpp"

namespace tasks::infra::queries {

using platform::pg::Query;

// Times travel as Unix milliseconds; stored values are whole milliseconds, so keyset
// comparisons against a cursor are exact.
#define TASKS_MS(col) "floor(extract(epoch FROM " col ") * 1000)::bigint"
#define TASKS_TS(param) "('epoch'::timestamptz + (" param ")::bigint * interval '1 millisecond')"

#define TASKS_COLUMNS \
  "id::text, owner_id::text, title, description, status, progress, priority, "              \
  "to_jsonb(labels)::text, checklist::text, " TASKS_MS("due_at") ", " TASKS_MS("expires_at") \
  ", on_expire, " TASKS_MS("completed_at") ", " TASKS_MS("expired_at") ", " TASKS_MS(        \
      "created_at") ", " TASKS_MS("updated_at") ", version"

// Creates, one or many in one statement (group commit): each parameter is one column as an
// array (WriteParams' order); the rows are the arrays' positions.
inline constexpr Query kInsertMany{
    "tasks_insert_many",
    "INSERT INTO tasks (id, owner_id, title, description, status, progress, priority, "
    "priority_rank, labels, checklist, due_at, expires_at, on_expire, completed_at, expired_at, "
    "created_at, updated_at, version) "
    "SELECT r.id, r.owner_id, r.title, r.description, r.status, r.progress, r.priority, "
    "r.priority_rank, ARRAY(SELECT jsonb_array_elements_text(r.labels)), r.checklist, " TASKS_TS(
        "r.due_at") ", " TASKS_TS("r.expires_at") ", r.on_expire, " TASKS_TS("r.completed_at") ", " TASKS_TS("r.expired_at") ", " TASKS_TS("r.created_at") ", " TASKS_TS("r.updated_at") ", "
    "r.version FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], "
    "$6::smallint[], $7::text[], $8::smallint[], $9::jsonb[], $10::jsonb[], $11::bigint[], "
    "$12::bigint[], $13::text[], $14::bigint[], $15::bigint[], $16::bigint[], $17::bigint[], "
    "$18::bigint[]) AS r(id, owner_id, title, description, status, progress, priority, "
    "priority_rank, labels, checklist, due_at, expires_at, on_expire, completed_at, expired_at, "
    "created_at, updated_at, version)"};

// The task quota's check: locks the count row of each owner of a create group (making it at
// 0 when missing), in owner order, and returns the counts. The insert's trigger adds the new
// tasks to them before the group commits.
inline constexpr Query kLockTaskCounts{
    "tasks_lock_task_counts",
    "INSERT INTO task_counts (owner_id, tasks) SELECT DISTINCT o, 0 FROM unnest($1::uuid[]) AS o "
    "ORDER BY o ON CONFLICT (owner_id) DO UPDATE SET tasks = task_counts.tasks "
    "RETURNING owner_id::text, tasks"};
// Idempotency-Keys of a group's keyed creates, in the group's transaction: each parameter is
// one column as an array ($1 owner, $2 key, $3 body hash, $4 task id, $5 task version,
// $6 response). A row of the last 24 h keeps its key (the create under it inserts nothing); an
// older one is taken over. Returns the task ids whose key this statement took: those insert.
#define TASKS_KEY_CUTOFF "now() - interval '24 hours'"
inline constexpr Query kClaimKeys{
    "tasks_claim_keys",
    "INSERT INTO idempotency_keys AS k (owner_id, idem_key, body_hash, task_id, task_version, "
    "response) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], "
    "$5::bigint[], $6::text[]) ON CONFLICT (owner_id, idem_key) DO UPDATE SET "
    "body_hash = EXCLUDED.body_hash, task_id = EXCLUDED.task_id, "
    "task_version = EXCLUDED.task_version, response = EXCLUDED.response, created_at = now() "
    "WHERE k.created_at < " TASKS_KEY_CUTOFF " RETURNING task_id::text"};
// The keys' rows of the last 24 h ($1 owners, $2 keys, as arrays).
inline constexpr Query kFindKeys{
    "tasks_find_keys",
    "SELECT k.owner_id::text, k.idem_key, k.body_hash, k.task_id::text, k.task_version, "
    "k.response FROM unnest($1::uuid[], $2::text[]) AS r(owner_id, idem_key) "
    "JOIN idempotency_keys k ON k.owner_id = r.owner_id AND k.idem_key = r.idem_key "
    "WHERE k.created_at >= " TASKS_KEY_CUTOFF};
// Up to $1 keys older than 24 h (replicas sweeping at once skip each other's rows).
inline constexpr Query kSweepKeys{
    "tasks_sweep_keys",
    "DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(SELECT ctid FROM idempotency_keys "
    "WHERE created_at < " TASKS_KEY_CUTOFF
    " ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED))"};
#undef TASKS_KEY_CUTOFF
// A deleted user's keys (their first responses hold the user's task data).
inline constexpr Query kEraseUserKeys{"tasks_erase_user_keys",
                                      "DELETE FROM idempotency_keys WHERE owner_id = $1"};
// Gives back the keys of creates left out for the quota ($1 owners, $2 keys, as arrays): the
// group claimed them before it knew.
inline constexpr Query kReleaseKeys{
    "tasks_release_keys",
    "DELETE FROM idempotency_keys k USING unnest($1::uuid[], $2::text[]) AS r(owner_id, idem_key) "
    "WHERE k.owner_id = r.owner_id AND k.idem_key = r.idem_key"};

inline constexpr Query kUpdate{
    "tasks_update",
    "UPDATE tasks SET title = $3, description = $4, status = $5, progress = $6, priority = $7, "
    "priority_rank = $8, labels = ARRAY(SELECT jsonb_array_elements_text($9::jsonb)), "
    "checklist = $10::jsonb, due_at = " TASKS_TS("$11") ", expires_at = " TASKS_TS(
        "$12") ", on_expire = $13, completed_at = " TASKS_TS("$14") ", expired_at = " TASKS_TS("$15") ", "
                                                                                                  "updated_at = " TASKS_TS(
                                                                                                      "$17") ", created_at = " TASKS_TS("$16") ", version = $18 "
                                                                                                             "WHERE id = $1 AND owner_id = $2 AND version = $19"};

inline constexpr Query kFind{"tasks_find",
                             "SELECT " TASKS_COLUMNS " FROM tasks WHERE id = $1 AND owner_id = $2"};

inline constexpr Query kDelete{"tasks_delete",
                               "DELETE FROM tasks WHERE id = $1 AND owner_id = $2 AND "
                               "($3::bigint IS NULL OR version = $3::bigint) RETURNING version"};

inline constexpr Query kSettings{
    "tasks_owner_settings",
    "SELECT timezone, default_task_ttl_seconds FROM user_replica WHERE id = $1 AND NOT deleted"};

// The filters every list statement shares ($1 owner, $2 statuses, $3 label, $4 priority,
// $5 LIKE pattern, $6..$9 due/expires bounds in ms).
#define TASKS_FILTERS \
  " FROM tasks WHERE owner_id = $1"                                                          \
  " AND ($2::text[] IS NULL OR status = ANY($2::text[]))"                                    \
  " AND ($3::text IS NULL OR labels @> ARRAY[$3::text])"                                     \
  " AND ($4::text IS NULL OR priority = $4::text)"                                           \
  " AND ($5::text IS NULL OR (title || ' ' || description) ILIKE $5::text ESCAPE '\\')"      \
  " AND ($6::bigint IS NULL OR due_at < " TASKS_TS("$6") ")"                                 \
  " AND ($7::bigint IS NULL OR due_at > " TASKS_TS("$7") ")"                                 \
  " AND ($8::bigint IS NULL OR expires_at < " TASKS_TS("$8") ")"                             \
  " AND ($9::bigint IS NULL OR expires_at > " TASKS_TS("$9") ")"

// A time sort key: its cursor text is ms, or "Infinity" for tasks without the time.
#define TASKS_TIME_KEY_TEXT(key) \
  "CASE WHEN " key " = 'infinity' THEN 'Infinity' ELSE " TASKS_MS(key) "::text END"
#define TASKS_TIME_CURSOR \
  "CASE WHEN $10 = 'Infinity' THEN 'infinity'::timestamptz ELSE " TASKS_TS("$10") " END"

#define TASKS_LIST(name, key, key_text, cursor_value, op, dir)                 \
  Query{name, "SELECT " TASKS_COLUMNS ", " key_text TASKS_FILTERS              \
              " AND ($11::uuid IS NULL OR (" key ", id) " op " (" cursor_value \
              ", $11::uuid))"                                                  \
              " ORDER BY " key " " dir ", tasks.id " dir " LIMIT $12"}

#define TASKS_TIME_LIST(name, key, op, dir) \
  TASKS_LIST(name, key, TASKS_TIME_KEY_TEXT(key), TASKS_TIME_CURSOR, op, dir)
#define TASKS_DUE "COALESCE(due_at, 'infinity')"
#define TASKS_EXPIRES "COALESCE(expires_at, 'infinity')"

inline constexpr Query kListCreatedAsc =
    TASKS_TIME_LIST("tasks_list_created_asc", "created_at", ">", "ASC");
inline constexpr Query kListCreatedDesc =
    TASKS_TIME_LIST("tasks_list_created_desc", "created_at", "<", "DESC");
inline constexpr Query kListUpdatedAsc =
    TASKS_TIME_LIST("tasks_list_updated_asc", "updated_at", ">", "ASC");
inline constexpr Query kListUpdatedDesc =
    TASKS_TIME_LIST("tasks_list_updated_desc", "updated_at", "<", "DESC");
inline constexpr Query kListDueAsc = TASKS_TIME_LIST("tasks_list_due_asc", TASKS_DUE, ">", "ASC");
inline constexpr Query kListDueDesc =
    TASKS_TIME_LIST("tasks_list_due_desc", TASKS_DUE, "<", "DESC");
inline constexpr Query kListExpiresAsc =
    TASKS_TIME_LIST("tasks_list_expires_asc", TASKS_EXPIRES, ">", "ASC");
inline constexpr Query kListExpiresDesc =
    TASKS_TIME_LIST("tasks_list_expires_desc", TASKS_EXPIRES, "<", "DESC");
inline constexpr Query kListPriorityAsc =
    TASKS_LIST("tasks_list_priority_asc", "tasks.priority_rank", "priority_rank::text",
               "$10::smallint", ">", "ASC");
inline constexpr Query kListPriorityDesc =
    TASKS_LIST("tasks_list_priority_desc", "tasks.priority_rank", "priority_rank::text",
               "$10::smallint", "<", "DESC");

// The user replica: applied only when the event is newer than what is stored.
inline constexpr Query kUpsertUser{
    "tasks_upsert_user",
    "INSERT INTO user_replica (id, timezone, default_task_ttl_seconds, version) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET timezone = EXCLUDED.timezone, "
    "default_task_ttl_seconds = EXCLUDED.default_task_ttl_seconds, version = EXCLUDED.version "
    "WHERE user_replica.version < EXCLUDED.version AND NOT user_replica.deleted"};
inline constexpr Query kMarkUserDeleted{
    "tasks_mark_user_deleted",
    "INSERT INTO user_replica (id, version, deleted) VALUES ($1, $2, true) "
    "ON CONFLICT (id) DO UPDATE SET deleted = true, version = GREATEST(user_replica.version, "
    "EXCLUDED.version)"};
// Erasure of a deleted user's tasks, with a todo.task.deleted event for each.
inline constexpr Query kEraseUserTasks{
    "tasks_erase_user",
    "WITH gone AS (DELETE FROM tasks WHERE owner_id = $1 RETURNING id, version) "
    "INSERT INTO outbox (event_id, subject, payload) SELECT g.eid, 'todo.task.deleted', "
    "jsonb_build_object('specversion', '1.0', 'id', g.eid, 'source', '/tasks', 'type', "
    "'todo.task.deleted', 'subject', g.id, 'time', api_time(now()), 'datacontenttype', "
    "'application/json', 'entityversion', g.version + 1, 'data', "
    "jsonb_build_object('id', g.id, 'owner_id', $1::uuid, 'version', g.version + 1))::text "
    "FROM (SELECT uuid_v7() AS eid, gone.* FROM gone) g RETURNING subject"};

// The expiry scheduler's batch: expires (or deletes, for on_expire "delete") up to $1 due
// tasks and returns each one's new state, "expired" or "deleted", its lag (expired_at -
// expires_at) and the batch's clock, all in ms; the scheduler writes their events in the same
// transaction (rendered in C++: json_build_object per row was a third of the batch's time).
// $2 is the instant being prepared for (NULL: only what is due now). Rows due at that instant
// are stamped with it, overdue ones with the statement's clock; the batch commits at the instant
// (ExpiryScheduler), so a task is never visible as expired before its expires_at.
inline constexpr Query kExpireDue{
    "tasks_expire_due",
    "WITH clock AS (SELECT date_trunc('milliseconds', clock_timestamp()) AS t, " TASKS_TS(
        "$2") " AS target), "
    "due AS (SELECT id FROM tasks WHERE expires_at IS NOT NULL AND status IN ('todo', "
    "'in_progress') AND expires_at <= (SELECT GREATEST(t, target) FROM clock) "
    "AND (expires_at <= (SELECT t FROM clock) OR expires_at = (SELECT target FROM clock)) "
    "ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED), "
    "expired AS (UPDATE tasks t SET status = 'expired', "
    "expired_at = GREATEST(t.expires_at, (SELECT t FROM clock)), "
    // = ANY(ARRAY(...)): primary-key lookups; a join with `due` was planned as a hash join
    // over a sequential scan of the whole table, twice per batch.
    "updated_at = GREATEST(t.expires_at, (SELECT t FROM clock)), version = t.version + 1 "
    "WHERE t.id = ANY(ARRAY(SELECT id FROM due)) AND t.on_expire = 'keep' RETURNING t.*), "
    "deleted AS (DELETE FROM tasks t WHERE t.id = ANY(ARRAY(SELECT id FROM due)) "
    "AND t.on_expire = 'delete' RETURNING t.*) "
    "SELECT " TASKS_COLUMNS ", 'expired', " TASKS_MS("expired_at") " - " TASKS_MS("expires_at")
    ", " TASKS_MS("(SELECT GREATEST(t, target) FROM clock)") " FROM expired "
    "UNION ALL SELECT " TASKS_COLUMNS ", 'deleted', " TASKS_MS(
        "GREATEST(expires_at, (SELECT t FROM clock))") " - " TASKS_MS("expires_at") ", " TASKS_MS("(SELECT GREATEST(t, target) FROM clock)") " FROM deleted"};
// How many tasks are due at one instant, counted up to $2: sizes the head start of its batch.
inline constexpr Query kCountDueAt{
    "tasks_count_due_at",
    "SELECT count(*) FROM (SELECT 1 FROM tasks WHERE expires_at IS NOT NULL AND status IN "
    "('todo', 'in_progress') AND expires_at = " TASKS_TS("$1") " LIMIT $2) due"};
inline constexpr Query kNextExpiry{
    "tasks_next_expiry",
    "SELECT " TASKS_MS("min(expires_at)") " FROM tasks WHERE expires_at IS NOT NULL AND "
    "status IN ('todo', 'in_progress')"};

#undef TASKS_LIST
#undef TASKS_TIME_LIST

}  // namespace tasks::infra::queries
