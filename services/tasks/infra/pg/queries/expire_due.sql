-- The expiry scheduler's batch: expires (or deletes, for on_expire "delete") up to $1 due tasks
-- and returns each one as ReadTask reads it, with its outcome ("expired" or "deleted"), its lag
-- (expired_at - expires_at) and the batch's clock, all in ms; the scheduler writes their events
-- in the same transaction (rendered in C++: json_build_object per row was a third of the
-- batch's time). $2 is the instant being prepared for (Unix ms; NULL: only what is due now).
-- Rows due at that instant are stamped with it, overdue ones with the statement's clock; the
-- batch commits at the instant (ExpiryScheduler), so a task is never visible as expired before
-- its expires_at.
--
-- = ANY(ARRAY(...)): primary-key lookups; a join with `due` was planned as a hash join over a
-- sequential scan of the whole table, twice per batch.
WITH clock AS (
  SELECT date_trunc('milliseconds', clock_timestamp()) AS t,
         ('epoch'::timestamptz + ($2)::bigint * interval '1 millisecond') AS target
), due AS (
  SELECT id FROM tasks
  WHERE expires_at IS NOT NULL AND status IN ('todo', 'in_progress')
    AND expires_at <= (SELECT GREATEST(t, target) FROM clock)
    AND (expires_at <= (SELECT t FROM clock) OR expires_at = (SELECT target FROM clock))
  ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED
), expired AS (
  UPDATE tasks t
  SET status = 'expired', expired_at = GREATEST(t.expires_at, (SELECT t FROM clock)),
      updated_at = GREATEST(t.expires_at, (SELECT t FROM clock)), version = t.version + 1
  WHERE t.id = ANY(ARRAY(SELECT id FROM due)) AND t.on_expire = 'keep'
  RETURNING t.*
), deleted AS (
  DELETE FROM tasks t WHERE t.id = ANY(ARRAY(SELECT id FROM due)) AND t.on_expire = 'delete'
  RETURNING t.*
)
SELECT id::text AS id, owner_id::text AS owner_id, title, description, status, progress,
       priority, to_jsonb(labels)::text AS labels, checklist::text AS checklist,
       floor(extract(epoch FROM due_at) * 1000)::bigint AS due_at_ms,
       floor(extract(epoch FROM expires_at) * 1000)::bigint AS expires_at_ms,
       on_expire,
       floor(extract(epoch FROM completed_at) * 1000)::bigint AS completed_at_ms,
       floor(extract(epoch FROM expired_at) * 1000)::bigint AS expired_at_ms,
       floor(extract(epoch FROM created_at) * 1000)::bigint AS created_at_ms,
       floor(extract(epoch FROM updated_at) * 1000)::bigint AS updated_at_ms,
       version,
       'expired' AS outcome,
       floor(extract(epoch FROM expired_at) * 1000)::bigint
         - floor(extract(epoch FROM expires_at) * 1000)::bigint AS lag_ms,
       floor(extract(epoch FROM (SELECT GREATEST(t, target) FROM clock)) * 1000)::bigint
         AS batch_at_ms
FROM expired
UNION ALL
SELECT id::text, owner_id::text, title, description, status, progress,
       priority, to_jsonb(labels)::text, checklist::text,
       floor(extract(epoch FROM due_at) * 1000)::bigint,
       floor(extract(epoch FROM expires_at) * 1000)::bigint,
       on_expire,
       floor(extract(epoch FROM completed_at) * 1000)::bigint,
       floor(extract(epoch FROM expired_at) * 1000)::bigint,
       floor(extract(epoch FROM created_at) * 1000)::bigint,
       floor(extract(epoch FROM updated_at) * 1000)::bigint,
       version,
       'deleted',
       floor(extract(epoch FROM GREATEST(expires_at, (SELECT t FROM clock))) * 1000)::bigint
         - floor(extract(epoch FROM expires_at) * 1000)::bigint,
       floor(extract(epoch FROM (SELECT GREATEST(t, target) FROM clock)) * 1000)::bigint
FROM deleted
