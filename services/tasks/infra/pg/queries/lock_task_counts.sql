-- The task quota's check: locks the count row of each owner of a create group ($1, an array),
-- making it at 0 when missing, in owner order, and returns the counts. The insert's trigger
-- adds the new tasks to them before the group commits.
INSERT INTO task_counts (owner_id, tasks)
SELECT DISTINCT o, 0 FROM unnest($1::uuid[]) AS o ORDER BY o
ON CONFLICT (owner_id) DO UPDATE SET tasks = task_counts.tasks
RETURNING owner_id::text AS owner_id, tasks
