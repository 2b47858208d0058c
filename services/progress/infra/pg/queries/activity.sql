-- A page of the feed, newest first: before sequence $2 (NULL: from the newest), at most $3, of
-- the activity the person sees: their own (by owner_id) and each list's they belong to. Each
-- source gives at most a page by its index, newest first; the page is the newest of those,
-- each row once. actor_name is the actor's name as last known (NULL: unknown, or no actor).
WITH page AS (
  SELECT DISTINCT s.seq FROM (
    (SELECT seq FROM activity
     WHERE owner_id = $1 AND seq < COALESCE($2::bigint, 9223372036854775807)
     ORDER BY seq DESC LIMIT $3)
    UNION ALL
    SELECT x.seq FROM list_member m
    CROSS JOIN LATERAL (
      SELECT seq FROM activity
      WHERE list_id = m.list_id AND seq < COALESCE($2::bigint, 9223372036854775807)
      ORDER BY seq DESC LIMIT $3) AS x
    WHERE m.user_id = $1) AS s
  ORDER BY s.seq DESC LIMIT $3)
SELECT a.seq, a.event_id::text AS event_id, a.kind, a.task_id::text AS task_id, a.title,
       floor(extract(epoch FROM a.at) * 1000)::bigint AS at_ms,
       COALESCE(a.task::text, 'null') AS task, a.list_id::text AS list_id,
       a.actor_id::text AS actor_id, p.name AS actor_name
FROM page JOIN activity a ON a.seq = page.seq
LEFT JOIN person p ON p.user_id = a.actor_id
ORDER BY a.seq DESC
