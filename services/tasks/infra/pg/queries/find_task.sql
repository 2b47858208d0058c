-- One task of an owner ($1 id, $2 owner), as ReadTask reads it (times in Unix ms).
SELECT id::text AS id, owner_id::text AS owner_id, title, description, status, progress,
       priority, to_jsonb(labels)::text AS labels, checklist::text AS checklist,
       floor(extract(epoch FROM due_at) * 1000)::bigint AS due_at_ms,
       floor(extract(epoch FROM expires_at) * 1000)::bigint AS expires_at_ms,
       on_expire,
       floor(extract(epoch FROM completed_at) * 1000)::bigint AS completed_at_ms,
       floor(extract(epoch FROM expired_at) * 1000)::bigint AS expired_at_ms,
       floor(extract(epoch FROM created_at) * 1000)::bigint AS created_at_ms,
       floor(extract(epoch FROM updated_at) * 1000)::bigint AS updated_at_ms,
       version
FROM tasks WHERE id = $1 AND owner_id = $2
