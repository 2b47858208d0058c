-- Deletes up to $1 Idempotency-Keys older than 24 h (replicas sweeping at once skip each
-- other's rows).
DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(
  SELECT ctid FROM idempotency_keys WHERE created_at < now() - interval '24 hours'
  ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED))
