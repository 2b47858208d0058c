INSERT INTO forgotten_person (user_id, version) VALUES ($1, $2) ON CONFLICT DO NOTHING
