-- Creations and expiries by their events; completions by the completed_at the events carried.
-- $2: since, in Unix milliseconds.
SELECT kind, task_id::text AS task_id, floor(extract(epoch FROM at) * 1000)::bigint AS at_ms
FROM activity
WHERE owner_id = $1 AND kind IN ('created', 'expired')
  AND at >= ('epoch'::timestamptz + ($2)::bigint * interval '1 millisecond')
UNION ALL
SELECT DISTINCT 'completed', task_id::text, floor(extract(epoch FROM completed_at) * 1000)::bigint
FROM activity
WHERE owner_id = $1 AND completed_at >= ('epoch'::timestamptz + ($2)::bigint * interval '1 millisecond')
