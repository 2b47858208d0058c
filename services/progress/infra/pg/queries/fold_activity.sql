-- A batch's activity rows. A deletion carries no title: the feed shows the last one known. The
-- list is the event's own (none before lists: the owner's alone), never the stored task's,
-- which a rebuild may have taken from a later event. Replays insert nothing. On commit the live streams of everyone who sees an added row are woken, once
-- per person: the task's owner and every member of its list (see stream_hub.hpp).
WITH added AS (
  INSERT INTO activity (seq, event_id, owner_id, kind, task_id, title, at, task, completed_at,
                        list_id, actor_id)
  SELECT e.seq, e.event_id, e.owner_id, e.kind, e.task_id, COALESCE(e.title, s.title, ''), e.at,
         e.task::json, e.completed_at, e.list_id, e.actor_id
  FROM unnest($1::bigint[], $2::uuid[], $3::uuid[], $4::text[], $5::uuid[], $6::text[],
              $7::timestamptz[], $8::text[], $9::timestamptz[], $10::uuid[], $11::uuid[])
         AS e(seq, event_id, owner_id, kind, task_id, title, at, task, completed_at, list_id,
              actor_id)
  LEFT JOIN task_state s ON s.id = e.task_id
  ORDER BY e.seq
  ON CONFLICT DO NOTHING
  RETURNING owner_id, list_id)
SELECT pg_notify('progress_activity', w.user_id::text)
FROM (SELECT owner_id AS user_id FROM added
      UNION
      SELECT m.user_id FROM list_member m
      WHERE m.list_id IN (SELECT list_id FROM added WHERE list_id IS NOT NULL)) AS w
