-- What came after each person's sequence, oldest first, at most $3 each, of the activity each
-- sees (as activity.sql): $1 the people and $2 their sequences, element by element; one
-- statement for every stream the hub wakes at once (and for one stream catching up).
SELECT v.viewer::text AS viewer, a.seq, a.event_id::text AS event_id, a.kind,
       a.task_id::text AS task_id, a.title,
       floor(extract(epoch FROM a.at) * 1000)::bigint AS at_ms,
       COALESCE(a.task::text, 'null') AS task, a.list_id::text AS list_id,
       a.actor_id::text AS actor_id, p.name AS actor_name
FROM unnest($1::uuid[], $2::bigint[]) AS v(viewer, after_seq)
CROSS JOIN LATERAL (
  SELECT DISTINCT s.seq FROM (
    (SELECT seq FROM activity WHERE owner_id = v.viewer AND seq > v.after_seq
     ORDER BY seq LIMIT $3)
    UNION ALL
    SELECT x.seq FROM list_member m
    CROSS JOIN LATERAL (
      SELECT seq FROM activity WHERE list_id = m.list_id AND seq > v.after_seq
      ORDER BY seq LIMIT $3) AS x
    WHERE m.user_id = v.viewer) AS s
  ORDER BY s.seq LIMIT $3) AS page
JOIN activity a ON a.seq = page.seq
LEFT JOIN person p ON p.user_id = a.actor_id
ORDER BY v.viewer, a.seq
