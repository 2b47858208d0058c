-- The statement behind GET /v1/tasks?limit=50: kListCreatedDesc (services/tasks/infra/pg/
-- queries/list_created_desc.sql) with no filters and no cursor, LIMIT 51 (one more tells whether a next page
-- exists). The service binds the unused filters as NULL parameters; pgbench variables cannot be
-- NULL, so they are NULL literals here (the planner may fold them: if anything, a faster baseline).
-- Variable (pgbench -D): owner (the user's id). Run with -M prepared, as the service does.
-- As in kListCreatedDesc, "ORDER BY created_at DESC, id DESC" names the output column id (id::text),
-- so PostgreSQL sorts the owner's rows rather than reading tasks_owner_created in order; when
-- kListCreatedDesc changes (tasks.id), change it here too.
SELECT id::text, owner_id::text, title, description, status, progress, priority,
       to_jsonb(labels)::text, checklist::text, floor(extract(epoch FROM due_at) * 1000)::bigint,
       floor(extract(epoch FROM expires_at) * 1000)::bigint, on_expire,
       floor(extract(epoch FROM completed_at) * 1000)::bigint,
       floor(extract(epoch FROM expired_at) * 1000)::bigint,
       floor(extract(epoch FROM created_at) * 1000)::bigint,
       floor(extract(epoch FROM updated_at) * 1000)::bigint, version,
       CASE WHEN created_at = 'infinity' THEN 'Infinity'
            ELSE floor(extract(epoch FROM created_at) * 1000)::bigint::text END
  FROM tasks WHERE owner_id = :owner
   AND (NULL::text[] IS NULL OR status = ANY(NULL::text[]))
   AND (NULL::text IS NULL OR labels @> ARRAY[NULL::text])
   AND (NULL::text IS NULL OR priority = NULL::text)
   AND (NULL::text IS NULL OR (title || ' ' || description) ILIKE NULL::text ESCAPE '\')
   AND (NULL::bigint IS NULL OR due_at < ('epoch'::timestamptz + (NULL::bigint)::bigint * interval '1 millisecond'))
   AND (NULL::bigint IS NULL OR due_at > ('epoch'::timestamptz + (NULL::bigint)::bigint * interval '1 millisecond'))
   AND (NULL::bigint IS NULL OR expires_at < ('epoch'::timestamptz + (NULL::bigint)::bigint * interval '1 millisecond'))
   AND (NULL::bigint IS NULL OR expires_at > ('epoch'::timestamptz + (NULL::bigint)::bigint * interval '1 millisecond'))
   AND (NULL::uuid IS NULL OR (created_at, id) < (CASE WHEN NULL::text = 'Infinity' THEN 'infinity'::timestamptz
        ELSE ('epoch'::timestamptz + (NULL::text)::bigint * interval '1 millisecond') END, NULL::uuid))
 ORDER BY created_at DESC, id DESC LIMIT 51;
