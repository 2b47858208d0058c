-- Per-user task counts for the task quota (TODO_QUOTA_TASKS): a create reads one row instead
-- of counting up to 100,000 tasks. Statement-level triggers keep the counts in step with every
-- insert and delete of a task (creates, deletes, the erasure of a deleted user's tasks, expiry
-- with on_expire "delete"), in the writing transaction, with one upsert or update per owner
-- and statement rather than one per row.
CREATE TABLE task_counts (
  owner_id uuid PRIMARY KEY,
  tasks bigint NOT NULL CHECK (tasks >= 0)
);

-- Counted under a lock that keeps writers out until the triggers exist.
LOCK TABLE tasks IN SHARE ROW EXCLUSIVE MODE;
INSERT INTO task_counts (owner_id, tasks) SELECT owner_id, count(*) FROM tasks GROUP BY owner_id;

-- Count rows are locked in owner order everywhere (here and by the create path's check), so
-- two transactions touching the same owners cannot deadlock on them.
CREATE FUNCTION task_counts_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO task_counts (owner_id, tasks)
  SELECT owner_id, count(*) FROM added GROUP BY owner_id ORDER BY owner_id
  ON CONFLICT (owner_id) DO UPDATE SET tasks = task_counts.tasks + EXCLUDED.tasks;
  RETURN NULL;
END $$;

CREATE FUNCTION task_counts_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM task_counts WHERE owner_id IN (SELECT owner_id FROM removed)
    ORDER BY owner_id FOR UPDATE;
  UPDATE task_counts c SET tasks = c.tasks - r.n
    FROM (SELECT owner_id, count(*) AS n FROM removed GROUP BY owner_id) r
    WHERE c.owner_id = r.owner_id;
  RETURN NULL;
END $$;

CREATE TRIGGER tasks_count_added AFTER INSERT ON tasks REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION task_counts_added();
CREATE TRIGGER tasks_count_removed AFTER DELETE ON tasks REFERENCING OLD TABLE AS removed
  FOR EACH STATEMENT EXECUTE FUNCTION task_counts_removed();
