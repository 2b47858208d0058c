-- A list's deletion, when newer than what is stored: it stays as a tombstone; a row back
-- means it applied and its members are to be removed.
INSERT INTO list_state (id, owner_id, version, deleted) VALUES ($1, $2, $3, true)
ON CONFLICT (id) DO UPDATE SET deleted = true, version = EXCLUDED.version
WHERE list_state.version < EXCLUDED.version
RETURNING id
