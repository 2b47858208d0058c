-- A batch's deletions (one row per task): the stored title stays for the feed; a task first
-- seen deleted keeps the last title the batch gave it.
INSERT INTO task_state (id, owner_id, title, status, progress, version, deleted, list_id)
SELECT id, owner_id, title, 'todo', 0, version, true, list_id
FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bigint[], $5::uuid[])
       AS t(id, owner_id, title, version, list_id)
ON CONFLICT (id) DO UPDATE SET deleted = true, version = EXCLUDED.version,
  list_id = EXCLUDED.list_id
WHERE task_state.version < EXCLUDED.version
