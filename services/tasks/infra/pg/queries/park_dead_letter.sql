-- Keeps an event that failed every delivery, with why ($1 subject, $2 message id, $3 payload,
-- $4 error).
INSERT INTO dead_letters (subject, msg_id, payload, error) VALUES ($1, $2, $3, $4)
