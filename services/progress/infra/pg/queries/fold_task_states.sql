-- A batch's latest state of each task (one row per task): only a newer version replaces what is
-- stored, and a tombstone is revived only by a newer event.
INSERT INTO task_state (id, owner_id, title, status, progress, due_at, expires_at, completed_at, version)
SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::smallint[],
                     $6::timestamptz[], $7::timestamptz[], $8::timestamptz[], $9::bigint[])
ON CONFLICT (id) DO UPDATE SET
  owner_id = EXCLUDED.owner_id, title = EXCLUDED.title, status = EXCLUDED.status,
  progress = EXCLUDED.progress, due_at = EXCLUDED.due_at, expires_at = EXCLUDED.expires_at,
  completed_at = EXCLUDED.completed_at, version = EXCLUDED.version, deleted = false
WHERE task_state.version < EXCLUDED.version
