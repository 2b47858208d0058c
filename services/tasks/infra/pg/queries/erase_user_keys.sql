-- Deletes a deleted user's Idempotency-Keys (their first responses hold the user's task data).
DELETE FROM idempotency_keys WHERE owner_id = $1
