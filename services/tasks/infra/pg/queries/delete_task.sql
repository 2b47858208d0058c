-- Deletes one task of an owner ($1 id, $2 owner), if it is at version $3 (NULL: any), and
-- returns the version and title it had.
DELETE FROM tasks WHERE id = $1 AND owner_id = $2 AND ($3::bigint IS NULL OR version = $3::bigint)
RETURNING version, title
