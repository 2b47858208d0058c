-- A batch's activity rows. A deletion carries no title: the feed shows the last one known.
-- Replays insert nothing. The live streams of each owner are woken on commit, once per owner
-- (see stream_hub.hpp).
WITH added AS (
  INSERT INTO activity (seq, event_id, owner_id, kind, task_id, title, at, task, completed_at)
  SELECT e.seq, e.event_id, e.owner_id, e.kind, e.task_id, COALESCE(e.title, s.title, ''), e.at,
         e.task::json, e.completed_at
  FROM unnest($1::bigint[], $2::uuid[], $3::uuid[], $4::text[], $5::uuid[], $6::text[],
              $7::timestamptz[], $8::text[], $9::timestamptz[])
         AS e(seq, event_id, owner_id, kind, task_id, title, at, task, completed_at)
  LEFT JOIN task_state s ON s.id = e.task_id
  ORDER BY e.seq
  ON CONFLICT DO NOTHING
  RETURNING owner_id)
SELECT pg_notify('progress_activity', o.owner_id::text)
FROM (SELECT DISTINCT owner_id FROM added) AS o
