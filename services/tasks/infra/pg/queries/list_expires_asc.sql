-- A page of an owner's tasks, ascending by expires_at (tasks without one last, as 'infinity') then by id.
-- $1 owner, $2 statuses, $3 label, $4 priority, $5 LIKE pattern, $6..$9 due/expires bounds in
-- Unix ms, $10 and $11 the cursor (the last row's sort_key and id; NULL: the first page), $12
-- the limit. sort_key is the cursor text of a row: its time in Unix ms, or "Infinity".
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
       CASE WHEN COALESCE(expires_at, 'infinity') = 'infinity' THEN 'Infinity'
         ELSE floor(extract(epoch FROM COALESCE(expires_at, 'infinity')) * 1000)::bigint::text END AS sort_key
FROM tasks
WHERE owner_id = $1
  AND ($2::text[] IS NULL OR status = ANY($2::text[]))
  AND ($3::text IS NULL OR labels @> ARRAY[$3::text])
  AND ($4::text IS NULL OR priority = $4::text)
  -- q of 3 characters or more: the owner's matches are found first, through the owner-and-
  -- trigram index of task_search (see migrations/009_search_text_table.sql), however rare or
  -- common they are; a shorter q has no trigram and filters the listing (both branches give the
  -- same rows: task_search holds each task's title || ' ' || description).
  AND ($5::text IS NULL OR CASE
       WHEN char_length(replace($5::text, '\', '')) < 5
         THEN (title || ' ' || description) ILIKE $5::text ESCAPE '\'
       ELSE id = ANY (ARRAY(SELECT s.task_id FROM task_search s WHERE s.owner_id = $1
                              AND s.text ILIKE $5::text ESCAPE '\'))
       END)
  AND ($6::bigint IS NULL OR due_at < ('epoch'::timestamptz + ($6)::bigint * interval '1 millisecond'))
  AND ($7::bigint IS NULL OR due_at > ('epoch'::timestamptz + ($7)::bigint * interval '1 millisecond'))
  AND ($8::bigint IS NULL OR expires_at < ('epoch'::timestamptz + ($8)::bigint * interval '1 millisecond'))
  AND ($9::bigint IS NULL OR expires_at > ('epoch'::timestamptz + ($9)::bigint * interval '1 millisecond'))
  AND ($11::uuid IS NULL OR (COALESCE(expires_at, 'infinity'), id) >
       (CASE WHEN $10 = 'Infinity' THEN 'infinity'::timestamptz ELSE ('epoch'::timestamptz + ($10)::bigint * interval '1 millisecond') END,
        $11::uuid))
ORDER BY COALESCE(expires_at, 'infinity') ASC, tasks.id ASC
LIMIT $12
