-- Marks a user deleted in the replica ($1 id, $2 the event's entity version), for good.
INSERT INTO user_replica (id, version, deleted) VALUES ($1, $2, true)
ON CONFLICT (id) DO UPDATE
  SET deleted = true, version = GREATEST(user_replica.version, EXCLUDED.version)
