-- Locks the presented token's row so two concurrent refreshes cannot both rotate it.
SELECT t.family_id::text AS family_id,
       f.user_id::text AS user_id,
       t.used_at IS NOT NULL AS used,
       f.revoked_at IS NOT NULL AS revoked,
       t.expires_at <= now() OR f.expires_at <= now() AS expired
FROM refresh_tokens t
JOIN session_families f ON f.id = t.family_id
WHERE t.token_hash = $1
FOR UPDATE OF t
