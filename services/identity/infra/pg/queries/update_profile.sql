-- A JSON merge patch of the profile: NULL $2/$3 keep the name/timezone; $4 says whether
-- default_task_ttl_seconds is in the patch, $5 is its new value (NULL clears it).
UPDATE users
SET name = COALESCE($2, name),
    timezone = COALESCE($3, timezone),
    default_task_ttl_seconds = CASE WHEN $4 THEN $5::bigint ELSE default_task_ttl_seconds END,
    updated_at = now(),
    version = version + 1
WHERE id = $1
RETURNING id::text AS id, email, name, timezone, default_task_ttl_seconds,
          to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at,
          to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS updated_at,
          version, password_hash
