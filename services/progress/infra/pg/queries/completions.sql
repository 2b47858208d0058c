-- $2: since, in Unix milliseconds.
SELECT DISTINCT floor(extract(epoch FROM completed_at) * 1000)::bigint AS completed_at_ms
FROM activity
WHERE owner_id = $1 AND completed_at >= ('epoch'::timestamptz + ($2)::bigint * interval '1 millisecond')
