-- q's text moves to a table of its own, task_search, kept by triggers on tasks. Every update of
-- a task is a non-HOT update (updated_at and status are indexed), which adds an entry to every
-- index of tasks: with the text's trigram index among them, the expiry scheduler's batch spent
-- most of its time writing trigrams of titles that had not changed (bench/scale.d/
-- expiry_indexes.sql). Here a row is written only when a task is created, when its title or
-- description changes, and when it is deleted.
CREATE TABLE task_search (
  task_id uuid PRIMARY KEY,
  owner_id uuid NOT NULL,
  text text NOT NULL
);

-- Statement-level for inserts and deletes (one statement per create batch, expiry batch or
-- erasure, not one call per row); the update trigger's WHEN skips every update that leaves the
-- text alone without calling the function.
CREATE FUNCTION task_search_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO task_search (task_id, owner_id, text)
  SELECT id, owner_id, title || ' ' || description FROM added;
  RETURN NULL;
END $$;

CREATE FUNCTION task_search_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE task_search SET text = NEW.title || ' ' || NEW.description WHERE task_id = NEW.id;
  RETURN NULL;
END $$;

CREATE FUNCTION task_search_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM task_search WHERE task_id = ANY(ARRAY(SELECT id FROM removed));
  RETURN NULL;
END $$;

-- Copied under a lock that keeps writers out until the triggers exist.
LOCK TABLE tasks IN SHARE ROW EXCLUSIVE MODE;
INSERT INTO task_search (task_id, owner_id, text)
SELECT id, owner_id, title || ' ' || description FROM tasks;

CREATE TRIGGER tasks_search_added AFTER INSERT ON tasks REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION task_search_added();
CREATE TRIGGER tasks_search_changed AFTER UPDATE OF title, description ON tasks
  FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title
                     OR OLD.description IS DISTINCT FROM NEW.description)
  EXECUTE FUNCTION task_search_changed();
CREATE TRIGGER tasks_search_removed AFTER DELETE ON tasks REFERENCING OLD TABLE AS removed
  FOR EACH STATEMENT EXECUTE FUNCTION task_search_removed();

-- The owner-and-trigram index of migration 008, now on the narrow table.
CREATE INDEX task_search_owner_text_trgm ON task_search
  USING gin (owner_id, text gin_trgm_ops) WITH (gin_pending_list_limit = 128);
DROP INDEX tasks_owner_text_trgm;
