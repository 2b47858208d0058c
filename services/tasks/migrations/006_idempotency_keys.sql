-- Idempotency-Keys of POST /v1/tasks, kept in PostgreSQL beside the task each one created.
-- They lived only in Redis, which keeps no data: a retry after a Redis restart created the task
-- a second time. A key row is written in the create's own transaction, so it exists exactly
-- when its task (and the task's created event) does; the primary key decides between creates
-- racing under one key, in one commit group or across replicas.
-- `response` is the first 201 verbatim: a retry is answered with it even after the task was
-- changed or deleted (as a retried POST must: it asks "what did my request do?").
-- A key counts for 24 h (API.md); older rows are ignored at once and deleted in small batches
-- by the tasks service's sweeper (created_at index).
CREATE TABLE idempotency_keys (
  owner_id uuid NOT NULL,
  idem_key text NOT NULL,
  body_hash text NOT NULL,
  task_id uuid NOT NULL,
  task_version bigint NOT NULL,
  response text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (owner_id, idem_key)
);

CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
