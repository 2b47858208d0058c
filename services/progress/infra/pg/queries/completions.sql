-- Instants of completions the person sees (as points.sql sees activity); $2: since, in Unix
-- milliseconds; $3 one list (NULL: all of them).
WITH lists AS (
  SELECT m.list_id FROM list_member m
  WHERE m.user_id = $1 AND ($3::uuid IS NULL OR m.list_id = $3::uuid)
), owners AS (
  SELECT $1::uuid AS owner_id WHERE $3::uuid IS NULL
  UNION ALL
  SELECT l.owner_id FROM list_state l WHERE l.id = $3::uuid AND l.inbox AND NOT l.deleted
)
SELECT floor(extract(epoch FROM a.completed_at) * 1000)::bigint AS completed_at_ms
FROM lists l JOIN activity a ON a.list_id = l.list_id
WHERE a.completed_at >= ('epoch'::timestamptz + ($2)::bigint * interval '1 millisecond')
UNION
SELECT floor(extract(epoch FROM a.completed_at) * 1000)::bigint
FROM owners o JOIN activity a ON a.owner_id = o.owner_id
WHERE ($3::uuid IS NULL OR a.list_id IS NULL)
  AND a.completed_at >= ('epoch'::timestamptz + ($2)::bigint * interval '1 millisecond')
