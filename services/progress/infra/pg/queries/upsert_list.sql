-- A list's state, when newer than what is stored (a tombstone is revived only by a newer
-- event); a row back means it applied and its members are to be replaced.
INSERT INTO list_state (id, owner_id, inbox, version) VALUES ($1, $2, $3, $4)
ON CONFLICT (id) DO UPDATE SET owner_id = EXCLUDED.owner_id, inbox = EXCLUDED.inbox,
  version = EXCLUDED.version, deleted = false
WHERE list_state.version < EXCLUDED.version
RETURNING id
