-- Logout: the caller's session ($2) and the presented refresh token's ($3), if it is the
-- user's. Returns the sessions ended, like revoke_family.sql.
UPDATE session_families
SET revoked_at = now(), revoked_reason = 'logout'
WHERE user_id = $1 AND revoked_at IS NULL
  AND (id::text = $2 OR id = (SELECT family_id FROM refresh_tokens WHERE token_hash = $3))
RETURNING id::text AS session_id, user_id::text AS user_id,
          (extract(epoch FROM revoked_at) * 1000)::bigint AS revoked_at_ms
