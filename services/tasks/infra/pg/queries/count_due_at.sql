-- How many tasks are due at one instant ($1, Unix ms), counted up to $2: sizes the head start
-- of its batch.
SELECT count(*) AS due
FROM (SELECT 1 FROM tasks
      WHERE expires_at IS NOT NULL AND status IN ('todo', 'in_progress')
        AND expires_at = ('epoch'::timestamptz + ($1)::bigint * interval '1 millisecond')
      LIMIT $2) due
