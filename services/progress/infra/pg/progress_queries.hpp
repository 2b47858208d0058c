#pragma once
// Every SQL statement of the progress service, named and parameterised. Instants travel as Unix
// milliseconds; event times as the RFC 3339 text the events carry.

#include "platform/pg/connection.hpp"

namespace progress::infra::queries {

using platform::pg::Query;

#define PROGRESS_MS(col) "floor(extract(epoch FROM " col ") * 1000)::bigint"
#define PROGRESS_TS(param) "('epoch'::timestamptz + (" param ")::bigint * interval '1 millisecond')"

inline constexpr Query kIsForgotten{"progress_is_forgotten",
                                    "SELECT 1 FROM forgotten_person WHERE user_id = $1"};

// Only a newer version replaces what is stored; a tombstone is revived only by a newer event.
inline constexpr Query kUpsertTask{
    "progress_upsert_task",
    "INSERT INTO task_state (id, owner_id, title, status, progress, due_at, expires_at, "
    "completed_at, version) VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7::timestamptz, "
    "$8::timestamptz, $9) ON CONFLICT (id) DO UPDATE SET owner_id = EXCLUDED.owner_id, "
    "title = EXCLUDED.title, status = EXCLUDED.status, progress = EXCLUDED.progress, "
    "due_at = EXCLUDED.due_at, expires_at = EXCLUDED.expires_at, "
    "completed_at = EXCLUDED.completed_at, version = EXCLUDED.version, deleted = false "
    "WHERE task_state.version < EXCLUDED.version"};

inline constexpr Query kDeleteTask{
    "progress_delete_task",
    "INSERT INTO task_state (id, owner_id, title, status, progress, version, deleted) "
    "VALUES ($1, $2, '', 'todo', 0, $3, true) ON CONFLICT (id) DO UPDATE SET deleted = true, "
    "version = EXCLUDED.version WHERE task_state.version < EXCLUDED.version"};

// A deletion carries no title: the feed shows the last one known. Replays insert nothing.
inline constexpr Query kInsertActivity{
    "progress_insert_activity",
    "WITH added AS (INSERT INTO activity (seq, event_id, owner_id, kind, task_id, title, at, task, "
    "completed_at) VALUES ($1, $2, $3, $4, $5, COALESCE($6, (SELECT title FROM task_state WHERE "
    "id = $5::uuid), ''), $7::timestamptz, $8::json, $9::timestamptz) ON CONFLICT DO NOTHING "
    "RETURNING owner_id) "
    "SELECT pg_notify('progress_activity', owner_id::text) FROM added"};

inline constexpr Query kUpsertPerson{
    "progress_upsert_person",
    "INSERT INTO person (user_id, timezone, version) VALUES ($1, $2, $3) "
    "ON CONFLICT (user_id) DO UPDATE SET timezone = EXCLUDED.timezone, "
    "version = EXCLUDED.version WHERE person.version < EXCLUDED.version"};

inline constexpr Query kForgetTasks{"progress_forget_tasks",
                                    "DELETE FROM task_state WHERE owner_id = $1"};
inline constexpr Query kForgetActivity{"progress_forget_activity",
                                       "DELETE FROM activity WHERE owner_id = $1"};
inline constexpr Query kForgetPerson{"progress_forget_person",
                                     "DELETE FROM person WHERE user_id = $1"};
inline constexpr Query kRememberForgotten{
    "progress_remember_forgotten",
    "INSERT INTO forgotten_person (user_id, version) VALUES ($1, $2) ON CONFLICT DO NOTHING"};

inline constexpr Query kTimeZone{"progress_time_zone",
                                 "SELECT timezone FROM person WHERE user_id = $1"};

inline constexpr Query kAggregate{
    "progress_aggregate",
    "SELECT count(*) FILTER (WHERE status = 'todo'), "
    "count(*) FILTER (WHERE status = 'in_progress'), count(*) FILTER (WHERE status = 'done'), "
    "count(*) FILTER (WHERE status = 'expired'), COALESCE(avg(progress), 0)::float8, "
    "count(*) FILTER (WHERE status IN ('todo', 'in_progress') AND due_at < " PROGRESS_TS(
        "$2") "), "
              "count(*) FILTER (WHERE status IN ('todo', 'in_progress') AND expires_at > " PROGRESS_TS(
                  "$2") " AND expires_at <= " PROGRESS_TS("$2") " + interval '24 hours'), "
                                                                "count(*) FILTER (WHERE status = 'done' AND completed_at >= " PROGRESS_TS(
                                                                    "$3") ") "
                                                                          "FROM task_state WHERE owner_id = $1 AND NOT deleted"};

// Creations and expiries by their events; completions by the completed_at the events carried.
inline constexpr Query kPoints{
    "progress_points",
    "SELECT kind, task_id::text, " PROGRESS_MS("at") " FROM activity WHERE owner_id = $1 "
    "AND kind IN ('created', 'expired') AND at >= " PROGRESS_TS("$2") " "
    "UNION ALL SELECT DISTINCT 'completed', task_id::text, " PROGRESS_MS("completed_at") " "
    "FROM activity WHERE owner_id = $1 AND completed_at >= " PROGRESS_TS("$2")};

inline constexpr Query kCompletions{
    "progress_completions",
    "SELECT DISTINCT " PROGRESS_MS("completed_at") " FROM activity WHERE owner_id = $1 "
    "AND completed_at >= " PROGRESS_TS("$2")};

#define PROGRESS_ACTIVITY_COLUMNS                                  \
  "seq, event_id::text, kind, task_id::text, title, " PROGRESS_MS( \
      "at") ", COALESCE(task::text, 'null')"

inline constexpr Query kActivity{
    "progress_activity", "SELECT " PROGRESS_ACTIVITY_COLUMNS
                         " FROM activity WHERE owner_id = $1 "
                         "AND ($2::bigint IS NULL OR seq < $2::bigint) ORDER BY seq DESC LIMIT $3"};

inline constexpr Query kActivitySince{"progress_activity_since",
                                      "SELECT " PROGRESS_ACTIVITY_COLUMNS
                                      " FROM activity WHERE owner_id = $1 AND seq > $2 "
                                      "ORDER BY seq LIMIT $3"};

inline constexpr Query kLatestSeq{"progress_latest_seq",
                                  "SELECT COALESCE(max(seq), 0) FROM activity WHERE owner_id = $1"};

inline constexpr Query kPark{"progress_park_dead_letter",
                             "INSERT INTO dead_letters (subject, msg_id, payload, error) "
                             "VALUES ($1, $2, $3, $4)"};

// Rebuild: the read model emptied in one statement (the consumer then replays the stream).
inline constexpr Query kDropReadModel{"progress_drop_read_model",
                                      "TRUNCATE person, forgotten_person, task_state, activity"};

}  // namespace progress::infra::queries
