-- What each index of `tasks` costs the expiry scheduler's write: one UPDATE of 20,000 tasks of
-- one person (status, expired_at, updated_at, version, as expire_due.sql writes them), once per
-- set of indexes, each in a transaction that is rolled back. Run against a stack's todo_tasks
-- (the tasks service has migrated it):
--   psql -h 127.0.0.1 -p "$TODO_PG_PORT" -U todo -d todo_tasks -f bench/scale.d/expiry_indexes.sql
-- The seeded person is deleted at the end. Compare the "Time:" lines with each other only.
\timing on
\set owner '''00000000-0000-4000-8000-00000000e1e1'''
-- The write being timed, once for every index set below.
\set expire 'UPDATE tasks SET status = ''expired'', expired_at = now(), updated_at = now(), version = version + 1 WHERE owner_id = ' :owner ';'
BEGIN;
SET LOCAL session_replication_role = replica;  -- no quota or wake-up triggers for the seed
INSERT INTO tasks (id, owner_id, title, description, status, progress, priority, priority_rank,
                   labels, created_at, updated_at, version, expires_at)
SELECT gen_random_uuid(), :owner, 'Task number ' || g || ' to do soon',
       'a description of some length for the trigram index ' || g, 'todo', 0, 'normal', 2,
       '{work,home}', now(), now(), 1, now() + interval '1 day'
FROM generate_series(1, 20000) g;
COMMIT;
VACUUM ANALYZE tasks;
CHECKPOINT;

\echo all indexes (as deployed)
BEGIN;
:expire
ROLLBACK;

\echo with the trigram index on tasks, as before migration 009 moved it to task_search
BEGIN;
CREATE INDEX tasks_owner_text_trgm ON tasks
  USING gin (owner_id, (title || ' ' || description) gin_trgm_ops)
  WITH (gin_pending_list_limit = 128);
:expire
ROLLBACK;

\echo without the labels index
BEGIN;
DROP INDEX tasks_labels;
:expire
ROLLBACK;

\echo only the primary key and tasks_pending_expiry
BEGIN;
DROP INDEX tasks_labels;
DROP INDEX tasks_owner_created;
DROP INDEX tasks_owner_updated;
DROP INDEX tasks_owner_due;
DROP INDEX tasks_owner_expires;
DROP INDEX tasks_owner_priority;
:expire
ROLLBACK;

BEGIN;
SET LOCAL session_replication_role = replica;
DELETE FROM tasks WHERE owner_id = :owner;
COMMIT;
