-- Idempotency-Keys of a group's keyed creates, in the group's transaction: each parameter is
-- one column as an array ($1 owner, $2 key, $3 body hash, $4 task id, $5 task version,
-- $6 response). A row of the last 24 h keeps its key (the create under it inserts nothing); an
-- older one is taken over. Returns the task ids whose key this statement took: those insert.
INSERT INTO idempotency_keys AS k (owner_id, idem_key, body_hash, task_id, task_version, response)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::bigint[], $6::text[])
ON CONFLICT (owner_id, idem_key) DO UPDATE
  SET body_hash = EXCLUDED.body_hash, task_id = EXCLUDED.task_id,
      task_version = EXCLUDED.task_version, response = EXCLUDED.response, created_at = now()
  WHERE k.created_at < now() - interval '24 hours'
RETURNING task_id::text AS task_id
