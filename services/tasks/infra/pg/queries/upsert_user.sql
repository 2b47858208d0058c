-- The user replica from a todo.user.created/updated event: applied only when the event
-- ($4, its entity version) is newer than what is stored, and never to a deleted user.
INSERT INTO user_replica (id, timezone, default_task_ttl_seconds, version)
VALUES ($1, $2, $3, $4)
ON CONFLICT (id) DO UPDATE
  SET timezone = EXCLUDED.timezone, default_task_ttl_seconds = EXCLUDED.default_task_ttl_seconds,
      version = EXCLUDED.version
  WHERE user_replica.version < EXCLUDED.version AND NOT user_replica.deleted
