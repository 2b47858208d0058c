-- One person's summary: $2 is now and $3 the start of their local day, in Unix milliseconds.
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
FROM task_state WHERE owner_id = $1 AND NOT deleted
