-- A refresh token of family $2 living $3 seconds, never past the end of its family.
INSERT INTO refresh_tokens (token_hash, family_id, expires_at)
VALUES ($1, $2, LEAST(now() + make_interval(secs => $3::bigint),
                      (SELECT expires_at FROM session_families WHERE id = $2)))
