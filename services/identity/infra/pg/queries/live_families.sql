-- The account's deletion ends them (the rows go with the user), at the transaction's now().
-- The same columns as the statements that end sessions (revoke_family.sql).
SELECT id::text AS session_id, user_id::text AS user_id,
       (extract(epoch FROM now()) * 1000)::bigint AS revoked_at_ms
FROM session_families
WHERE user_id = $1 AND revoked_at IS NULL
