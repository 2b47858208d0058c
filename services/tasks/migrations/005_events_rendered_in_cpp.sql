-- The expiry scheduler now renders its events in C++ with the same code as every other write,
-- so the SQL renderers are gone (one renderer, nothing to keep in step).
DROP FUNCTION task_event_json(tasks);
DROP FUNCTION task_json(tasks);
