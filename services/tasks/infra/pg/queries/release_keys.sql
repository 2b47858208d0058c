-- Gives back the Idempotency-Keys of creates left out for the quota ($1 owners, $2 keys, as
-- arrays): the group claimed them before it knew.
DELETE FROM idempotency_keys k USING unnest($1::uuid[], $2::text[]) AS r(owner_id, idem_key)
WHERE k.owner_id = r.owner_id AND k.idem_key = r.idem_key
