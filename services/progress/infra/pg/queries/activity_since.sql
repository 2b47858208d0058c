-- What came after sequence $2, oldest first, at most $3 (the live stream).
SELECT seq, event_id::text AS event_id, kind, task_id::text AS task_id, title,
       floor(extract(epoch FROM at) * 1000)::bigint AS at_ms, COALESCE(task::text, 'null') AS task
FROM activity
WHERE owner_id = $1 AND seq > $2
ORDER BY seq LIMIT $3
