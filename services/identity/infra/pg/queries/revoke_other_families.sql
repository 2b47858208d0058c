-- A password change ends every session of the user but the caller's ($2). Returns the
-- sessions ended, like revoke_family.sql.
UPDATE session_families
SET revoked_at = now(), revoked_reason = 'password-change'
WHERE user_id = $1 AND revoked_at IS NULL AND id::text <> $2
RETURNING id::text AS session_id, user_id::text AS user_id,
          (extract(epoch FROM revoked_at) * 1000)::bigint AS revoked_at_ms
