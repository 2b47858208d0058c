-- The database work of POST /v1/tasks in one transaction, as PgTaskRepository::Insert does it:
-- kInsertTasks (services/tasks/infra/pg/queries/insert_tasks.sql) with the values the body of
-- bench/task_create.lua gives, then the outbox enqueue of platform/bus/outbox.cpp (kEnqueue).
-- Variables (pgbench -D): owner (the user's id), payload (a todo.task.created envelope as the
-- service writes it, passed as a parameter like the service's $3; run with -M prepared).
-- Keep every ':' in this file followed by ':' or a non-word character: pgbench reads those
-- (a colon and a word) as a variable even inside string literals.
BEGIN;
INSERT INTO tasks (id, owner_id, title, description, status, progress, priority, priority_rank,
                   labels, checklist, due_at, expires_at, on_expire, completed_at, expired_at,
                   created_at, updated_at, version)
  VALUES (gen_random_uuid(), :owner, 'bench task', 'created by the benchmark', 'todo', 0, 'high', 3,
          ARRAY(SELECT jsonb_array_elements_text('["bench","load"]'::jsonb)), '[]'::jsonb,
          NULL, NULL, 'keep', NULL, NULL,
          date_trunc('milliseconds', now()), date_trunc('milliseconds', now()), 1);
WITH inserted AS (INSERT INTO outbox (event_id, subject, payload)
                  VALUES (gen_random_uuid(), 'todo.task.created', :payload) RETURNING id)
  SELECT pg_notify('todo_outbox', '') FROM inserted;
COMMIT;
