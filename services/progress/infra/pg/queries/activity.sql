-- A page of the feed, newest first: before sequence $2 (NULL: from the newest), at most $3.
SELECT seq, event_id::text AS event_id, kind, task_id::text AS task_id, title,
       floor(extract(epoch FROM at) * 1000)::bigint AS at_ms, COALESCE(task::text, 'null') AS task
FROM activity
WHERE owner_id = $1 AND ($2::bigint IS NULL OR seq < $2::bigint)
ORDER BY seq DESC LIMIT $3
