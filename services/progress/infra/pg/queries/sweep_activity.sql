-- Deletes up to $2 activity rows older than $1 seconds (the feed's window; replicas sweeping
-- at once skip each other's rows).
DELETE FROM activity WHERE seq = ANY(ARRAY(
  SELECT seq FROM activity WHERE at < now() - $1::bigint * interval '1 second'
  ORDER BY at LIMIT $2 FOR UPDATE SKIP LOCKED))
