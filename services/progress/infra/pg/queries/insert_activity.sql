-- A deletion carries no title: the feed shows the last one known. Replays insert nothing.
-- The live streams of the owner are woken on commit (see activity_bell.hpp).
WITH added AS (
  INSERT INTO activity (seq, event_id, owner_id, kind, task_id, title, at, task, completed_at)
  VALUES ($1, $2, $3, $4, $5, COALESCE($6, (SELECT title FROM task_state WHERE id = $5::uuid), ''),
          $7::timestamptz, $8::json, $9::timestamptz)
  ON CONFLICT DO NOTHING
  RETURNING owner_id)
SELECT pg_notify('progress_activity', owner_id::text) FROM added
