-- Tasks, their owners' replica (from todo.user.* events), and the functions the expiry
-- scheduler uses to write events in bulk.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE user_replica (
  id uuid PRIMARY KEY,
  timezone text NOT NULL DEFAULT 'UTC',
  default_task_ttl_seconds bigint,
  version bigint NOT NULL,
  deleted boolean NOT NULL DEFAULT false
);

CREATE TABLE tasks (
  id uuid PRIMARY KEY,
  owner_id uuid NOT NULL,
  title text NOT NULL,
  description text NOT NULL DEFAULT '',
  status text NOT NULL CHECK (status IN ('todo', 'in_progress', 'done', 'expired')),
  progress smallint NOT NULL CHECK (progress BETWEEN 0 AND 100),
  priority text NOT NULL,
  priority_rank smallint NOT NULL,
  labels text[] NOT NULL DEFAULT '{}',
  checklist jsonb NOT NULL DEFAULT '[]',
  due_at timestamptz,
  expires_at timestamptz,
  on_expire text NOT NULL DEFAULT 'keep',
  completed_at timestamptz,
  expired_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version bigint NOT NULL
);

-- Lists: the owner first, then each sort key with the id as tie-breaker (keyset pagination).
CREATE INDEX tasks_owner_created ON tasks (owner_id, created_at, id);
CREATE INDEX tasks_owner_updated ON tasks (owner_id, updated_at, id);
-- Tasks without a due date or an expiry sort after all others ascending (before, descending).
CREATE INDEX tasks_owner_due ON tasks (owner_id, (COALESCE(due_at, 'infinity')), id);
CREATE INDEX tasks_owner_expires ON tasks (owner_id, (COALESCE(expires_at, 'infinity')), id);
CREATE INDEX tasks_owner_priority ON tasks (owner_id, priority_rank, id);
CREATE INDEX tasks_labels ON tasks USING gin (labels);
-- q: substring search with LIKE (the API escapes % and _), served by trigrams.
CREATE INDEX tasks_text_trgm ON tasks USING gin ((title || ' ' || description) gin_trgm_ops);
-- The scheduler's work list: only tasks that can still expire.
CREATE INDEX tasks_pending_expiry ON tasks (expires_at)
  WHERE expires_at IS NOT NULL AND status IN ('todo', 'in_progress');

-- UUIDv7 in SQL, for events written in bulk by the scheduler.
CREATE FUNCTION uuid_v7() RETURNS uuid AS $$
  SELECT encode(
    set_bit(set_bit(
      overlay(uuid_send(gen_random_uuid())
              PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
              FROM 1 FOR 6),
      52, 1), 53, 1), 'hex')::uuid
$$ LANGUAGE sql VOLATILE;

CREATE FUNCTION api_time(t timestamptz) RETURNS text AS $$
  SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$ LANGUAGE sql IMMUTABLE;

-- The task as API.md's `task` object; the C++ renderer (infra/task_json.cpp) writes the same
-- shape, and an integration test checks that the two agree.
CREATE FUNCTION task_json(t tasks) RETURNS jsonb AS $$
  SELECT jsonb_build_object(
    'id', t.id, 'title', t.title, 'description', t.description, 'status', t.status,
    'progress', t.progress, 'priority', t.priority, 'labels', to_jsonb(t.labels),
    'checklist', t.checklist, 'due_at', api_time(t.due_at), 'expires_at', api_time(t.expires_at),
    'on_expire', t.on_expire, 'completed_at', api_time(t.completed_at),
    'expired_at', api_time(t.expired_at), 'created_at', api_time(t.created_at),
    'updated_at', api_time(t.updated_at), 'version', t.version)
$$ LANGUAGE sql STABLE;

-- The data of a todo.task.* event: the task plus its owner (consumers need to know whose).
CREATE FUNCTION task_event_json(t tasks) RETURNS jsonb AS $$
  SELECT task_json(t) || jsonb_build_object('owner_id', t.owner_id)
$$ LANGUAGE sql STABLE;

-- Wakes expiry schedulers (every replica) when a write brings an expiry that may be earlier
-- than the one they sleep towards. The payload is the expiry in Unix milliseconds.
CREATE FUNCTION tasks_notify_expiry() RETURNS trigger AS $$
BEGIN
  IF NEW.expires_at IS NOT NULL AND NEW.status IN ('todo', 'in_progress')
     AND (TG_OP = 'INSERT' OR NEW.expires_at IS DISTINCT FROM OLD.expires_at
          OR NEW.status IS DISTINCT FROM OLD.status) THEN
    PERFORM pg_notify('task_expiry',
                      (floor(extract(epoch FROM NEW.expires_at) * 1000)::bigint)::text);
  END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER tasks_expiry_wake AFTER INSERT OR UPDATE ON tasks
  FOR EACH ROW EXECUTE FUNCTION tasks_notify_expiry();
