INSERT INTO dead_letters (subject, msg_id, payload, error) VALUES ($1, $2, $3, $4)
