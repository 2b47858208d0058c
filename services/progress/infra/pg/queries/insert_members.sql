-- A list's members ($2 user ids, $3 roles); people already deleted are left out, so a late
-- event cannot give them back a view of the list.
INSERT INTO list_member (list_id, user_id, role)
SELECT $1, m.user_id, m.role FROM unnest($2::uuid[], $3::text[]) AS m(user_id, role)
WHERE NOT EXISTS (SELECT 1 FROM forgotten_person f WHERE f.user_id = m.user_id)
ON CONFLICT DO NOTHING
