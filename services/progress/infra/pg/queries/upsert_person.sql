INSERT INTO person (user_id, timezone, version, name) VALUES ($1, $2, $3, $4)
ON CONFLICT (user_id) DO UPDATE SET timezone = EXCLUDED.timezone, version = EXCLUDED.version,
  name = EXCLUDED.name
WHERE person.version < EXCLUDED.version
