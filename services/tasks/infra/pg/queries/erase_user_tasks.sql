-- Erases a deleted user's tasks ($1) and returns each one's id, owner and last version (the
-- caller writes their todo.task.deleted events in the same transaction).
DELETE FROM tasks WHERE owner_id = $1
RETURNING id::text AS id, owner_id::text AS owner_id, version
