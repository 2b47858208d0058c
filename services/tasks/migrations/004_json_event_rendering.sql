-- Bulk event rendering with json (text) instead of jsonb: the scheduler builds one document per
-- expired task, and jsonb's parse-and-normalise step was a third of that cost.
DROP FUNCTION task_event_json(tasks);
DROP FUNCTION task_json(tasks);

CREATE FUNCTION task_json(t tasks) RETURNS json AS $$
  SELECT json_build_object(
    'id', t.id, 'title', t.title, 'description', t.description, 'status', t.status,
    'progress', t.progress, 'priority', t.priority, 'labels', to_json(t.labels),
    'checklist', t.checklist, 'due_at', api_time(t.due_at), 'expires_at', api_time(t.expires_at),
    'on_expire', t.on_expire, 'completed_at', api_time(t.completed_at),
    'expired_at', api_time(t.expired_at), 'created_at', api_time(t.created_at),
    'updated_at', api_time(t.updated_at), 'version', t.version)
$$ LANGUAGE sql STABLE;

CREATE FUNCTION task_event_json(t tasks) RETURNS json AS $$
  SELECT json_build_object(
    'id', t.id, 'owner_id', t.owner_id, 'title', t.title, 'description', t.description,
    'status', t.status, 'progress', t.progress, 'priority', t.priority,
    'labels', to_json(t.labels), 'checklist', t.checklist, 'due_at', api_time(t.due_at),
    'expires_at', api_time(t.expires_at), 'on_expire', t.on_expire,
    'completed_at', api_time(t.completed_at), 'expired_at', api_time(t.expired_at),
    'created_at', api_time(t.created_at), 'updated_at', api_time(t.updated_at),
    'version', t.version)
$$ LANGUAGE sql STABLE;
