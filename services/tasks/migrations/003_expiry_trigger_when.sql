-- Only rows that can still expire call the wake-up function: the scheduler's own bulk updates
-- (to expired) no longer pay a PL/pgSQL call per row.
DROP TRIGGER tasks_expiry_wake ON tasks;
CREATE TRIGGER tasks_expiry_wake AFTER INSERT OR UPDATE ON tasks
  FOR EACH ROW WHEN (NEW.expires_at IS NOT NULL AND NEW.status IN ('todo', 'in_progress'))
  EXECUTE FUNCTION tasks_notify_expiry();
