-- A session (refresh-token family) with its absolute lifetime of $3 seconds.
INSERT INTO session_families (id, user_id, expires_at)
VALUES ($1, $2, now() + make_interval(secs => $3::bigint))
