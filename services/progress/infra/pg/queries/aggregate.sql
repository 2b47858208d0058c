-- One person's summary over every task they see: $2 is now and $3 the start of their local
-- day, in Unix milliseconds; $4 one list (NULL: all of them). A task is seen through each list
-- the person belongs to (list_member, the owner included), and through its owner_id: their own
-- tasks in no list they belong to (events from before lists, a list whose event is still on
-- its way), each task once. The inbox also holds its owner's tasks that name no list yet.
WITH visible AS (
  SELECT t.status, t.progress, t.due_at, t.expires_at, t.completed_at
  FROM list_member m JOIN task_state t ON t.list_id = m.list_id AND NOT t.deleted
  WHERE m.user_id = $1 AND ($4::uuid IS NULL OR m.list_id = $4::uuid)
  UNION ALL
  SELECT t.status, t.progress, t.due_at, t.expires_at, t.completed_at
  FROM task_state t
  WHERE t.owner_id = $1 AND NOT t.deleted AND $4::uuid IS NULL AND t.list_id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM list_member m WHERE m.list_id = t.list_id AND m.user_id = $1)
  UNION ALL
  SELECT t.status, t.progress, t.due_at, t.expires_at, t.completed_at
  FROM task_state t
  WHERE t.list_id IS NULL AND NOT t.deleted
    AND t.owner_id = COALESCE((SELECT l.owner_id FROM list_state l
                               WHERE l.id = $4::uuid AND l.inbox AND NOT l.deleted),
                              CASE WHEN $4::uuid IS NULL THEN $1::uuid END))
SELECT
  count(*) FILTER (WHERE status = 'todo') AS todo,
  count(*) FILTER (WHERE status = 'in_progress') AS in_progress,
  count(*) FILTER (WHERE status = 'done') AS done,
  count(*) FILTER (WHERE status = 'expired') AS expired,
  COALESCE(avg(progress), 0)::float8 AS average_progress,
  count(*) FILTER (WHERE status IN ('todo', 'in_progress')
                   AND due_at < ('epoch'::timestamptz + ($2)::bigint * interval '1 millisecond')) AS overdue,
  count(*) FILTER (WHERE status IN ('todo', 'in_progress')
                   AND expires_at > ('epoch'::timestamptz + ($2)::bigint * interval '1 millisecond')
                   AND expires_at <= ('epoch'::timestamptz + ($2)::bigint * interval '1 millisecond')
                                     + interval '24 hours') AS expiring_within_24h,
  count(*) FILTER (WHERE status = 'done'
                   AND completed_at >= ('epoch'::timestamptz + ($3)::bigint * interval '1 millisecond')) AS completed_today
FROM visible
