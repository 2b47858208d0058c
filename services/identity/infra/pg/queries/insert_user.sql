-- A taken email inserts nothing (no row back) instead of raising a unique violation, whose
-- DETAIL line would write the email into PostgreSQL's log. Returns the user as read_user does.
INSERT INTO users (id, email, name, password_hash, created_at, updated_at)
VALUES ($1, $2, $3, $4, now(), now())
ON CONFLICT DO NOTHING
RETURNING id::text AS id, email, name, timezone, default_task_ttl_seconds,
          to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at,
          to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS updated_at,
          version, password_hash
