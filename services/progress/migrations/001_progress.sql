-- The progress read model: only what events told us. Every row carries the version of the
-- entity it came from, so redelivered and out-of-order events change nothing.

-- A person's time zone (from todo.user.*); unknown people count in UTC.
CREATE TABLE person (
  user_id uuid PRIMARY KEY,
  timezone text NOT NULL DEFAULT 'UTC',
  version bigint NOT NULL
);

-- People whose todo.user.deleted arrived: late task events about them are dropped.
CREATE TABLE forgotten_person (
  user_id uuid PRIMARY KEY,
  version bigint NOT NULL
);

-- The latest state of each task (from todo.task.*); a deleted task stays as a tombstone so an
-- older event arriving late cannot bring it back.
CREATE TABLE task_state (
  id uuid PRIMARY KEY,
  owner_id uuid NOT NULL,
  title text NOT NULL,
  status text NOT NULL,
  progress smallint NOT NULL,
  due_at timestamptz,
  expires_at timestamptz,
  completed_at timestamptz,
  version bigint NOT NULL,
  deleted boolean NOT NULL DEFAULT false
);
CREATE INDEX task_state_owner ON task_state (owner_id) WHERE NOT deleted;
CREATE INDEX task_state_owner_due ON task_state (owner_id, due_at)
  WHERE NOT deleted AND status IN ('todo', 'in_progress') AND due_at IS NOT NULL;
CREATE INDEX task_state_owner_expires ON task_state (owner_id, expires_at)
  WHERE NOT deleted AND status IN ('todo', 'in_progress') AND expires_at IS NOT NULL;

-- Every applied task event, keyed by its JetStream stream sequence (stable across replays, so
-- it is also the Server-Sent Events id): the activity feed, the daily buckets, the streak and
-- what /v1/stream replays after Last-Event-ID.
CREATE TABLE activity (
  seq bigint PRIMARY KEY,
  event_id uuid NOT NULL UNIQUE,
  owner_id uuid NOT NULL,
  kind text NOT NULL,
  task_id uuid NOT NULL,
  title text NOT NULL,
  at timestamptz NOT NULL,
  -- The task's completed_at when the event left it done: a completion is counted however the
  -- task got there (complete, progress 100, the last checklist item), once per task and instant.
  completed_at timestamptz,
  task json
);
CREATE INDEX activity_owner_seq ON activity (owner_id, seq);
CREATE INDEX activity_owner_kind_at ON activity (owner_id, kind, at);
CREATE INDEX activity_owner_completed ON activity (owner_id, completed_at)
  WHERE completed_at IS NOT NULL;

-- Events that failed every delivery, kept for a person to look at.
CREATE TABLE dead_letters (
  id bigserial PRIMARY KEY,
  subject text NOT NULL,
  msg_id text NOT NULL,
  payload text NOT NULL,
  error text NOT NULL,
  parked_at timestamptz NOT NULL DEFAULT now()
);
