INSERT INTO task_state (id, owner_id, title, status, progress, version, deleted)
VALUES ($1, $2, '', 'todo', 0, $3, true)
ON CONFLICT (id) DO UPDATE SET deleted = true, version = EXCLUDED.version
WHERE task_state.version < EXCLUDED.version
