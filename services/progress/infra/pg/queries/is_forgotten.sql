SELECT 1 AS forgotten FROM forgotten_person WHERE user_id = $1
