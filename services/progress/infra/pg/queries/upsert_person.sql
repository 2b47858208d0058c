INSERT INTO person (user_id, timezone, version) VALUES ($1, $2, $3)
ON CONFLICT (user_id) DO UPDATE SET timezone = EXCLUDED.timezone, version = EXCLUDED.version
WHERE person.version < EXCLUDED.version
