-- Writes a task's new state ($1..$18 in WriteParams' order, times in Unix ms) if it is still
-- at version $19.
UPDATE tasks
SET title = $3, description = $4, status = $5, progress = $6, priority = $7, priority_rank = $8,
    labels = ARRAY(SELECT jsonb_array_elements_text($9::jsonb)), checklist = $10::jsonb,
    due_at = ('epoch'::timestamptz + ($11)::bigint * interval '1 millisecond'),
    expires_at = ('epoch'::timestamptz + ($12)::bigint * interval '1 millisecond'),
    on_expire = $13,
    completed_at = ('epoch'::timestamptz + ($14)::bigint * interval '1 millisecond'),
    expired_at = ('epoch'::timestamptz + ($15)::bigint * interval '1 millisecond'),
    updated_at = ('epoch'::timestamptz + ($17)::bigint * interval '1 millisecond'),
    created_at = ('epoch'::timestamptz + ($16)::bigint * interval '1 millisecond'),
    version = $18
WHERE id = $1 AND owner_id = $2 AND version = $19
