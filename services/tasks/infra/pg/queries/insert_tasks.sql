-- Creates tasks, one or many in one statement (group commit): each parameter is one column as
-- an array, in WriteParams' order; the rows are the arrays' positions. Times are Unix ms.
INSERT INTO tasks (id, owner_id, title, description, status, progress, priority, priority_rank,
                   labels, checklist, due_at, expires_at, on_expire, completed_at, expired_at,
                   created_at, updated_at, version)
SELECT r.id, r.owner_id, r.title, r.description, r.status, r.progress, r.priority,
       r.priority_rank, ARRAY(SELECT jsonb_array_elements_text(r.labels)), r.checklist,
       ('epoch'::timestamptz + (r.due_at)::bigint * interval '1 millisecond'),
       ('epoch'::timestamptz + (r.expires_at)::bigint * interval '1 millisecond'),
       r.on_expire,
       ('epoch'::timestamptz + (r.completed_at)::bigint * interval '1 millisecond'),
       ('epoch'::timestamptz + (r.expired_at)::bigint * interval '1 millisecond'),
       ('epoch'::timestamptz + (r.created_at)::bigint * interval '1 millisecond'),
       ('epoch'::timestamptz + (r.updated_at)::bigint * interval '1 millisecond'),
       r.version
FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::smallint[],
            $7::text[], $8::smallint[], $9::jsonb[], $10::jsonb[], $11::bigint[], $12::bigint[],
            $13::text[], $14::bigint[], $15::bigint[], $16::bigint[], $17::bigint[],
            $18::bigint[])
  AS r(id, owner_id, title, description, status, progress, priority, priority_rank, labels,
       checklist, due_at, expires_at, on_expire, completed_at, expired_at, created_at,
       updated_at, version)
