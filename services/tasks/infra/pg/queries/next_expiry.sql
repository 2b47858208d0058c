-- The earliest pending expiry (Unix ms), NULL when no task waits for one.
SELECT floor(extract(epoch FROM min(expires_at)) * 1000)::bigint AS next_expiry_ms
FROM tasks WHERE expires_at IS NOT NULL AND status IN ('todo', 'in_progress')
