-- The Idempotency-Keys' rows of the last 24 h ($1 owners, $2 keys, as arrays).
SELECT k.owner_id::text AS owner_id, k.idem_key, k.body_hash, k.task_id::text AS task_id,
       k.task_version, k.response
FROM unnest($1::uuid[], $2::text[]) AS r(owner_id, idem_key)
JOIN idempotency_keys k ON k.owner_id = r.owner_id AND k.idem_key = r.idem_key
WHERE k.created_at >= now() - interval '24 hours'
