-- The user's columns with the timestamps already in API format.
SELECT id::text AS id, email, name, timezone, default_task_ttl_seconds,
       to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at,
       to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS updated_at,
       version, password_hash
FROM users
WHERE id = $1
