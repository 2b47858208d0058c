-- A batch's deletions (one row per task): the stored title stays for the feed; a task first
-- seen deleted keeps the last title the batch gave it.
INSERT INTO task_state (id, owner_id, title, status, progress, version, deleted)
SELECT id, owner_id, title, 'todo', 0, version, true
FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bigint[]) AS t(id, owner_id, title, version)
ON CONFLICT (id) DO UPDATE SET deleted = true, version = EXCLUDED.version
WHERE task_state.version < EXCLUDED.version
