-- Every statement that ends sessions returns them (session_id, user_id, revoked_at_ms), so
-- that each one's todo.session.revoked event is committed with it.
UPDATE session_families
SET revoked_at = now(), revoked_reason = $2
WHERE id = $1 AND revoked_at IS NULL
RETURNING id::text AS session_id, user_id::text AS user_id,
          (extract(epoch FROM revoked_at) * 1000)::bigint AS revoked_at_ms
