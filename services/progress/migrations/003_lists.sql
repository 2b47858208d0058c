-- Lists and sharing: a person sees a task when they own it or belong to its list, as the
-- latest todo.list.* event said. Memberships are read at query time, so a member removed
-- stops seeing the list's tasks, activity and stream events as soon as the event is applied.

-- The latest state of each list; a deleted list stays as a tombstone so an older event
-- arriving late cannot bring it back.
CREATE TABLE list_state (
  id uuid PRIMARY KEY,
  owner_id uuid NOT NULL,
  inbox boolean NOT NULL DEFAULT false,
  version bigint NOT NULL,
  deleted boolean NOT NULL DEFAULT false
);

-- Who belongs to each list (the owner too, with role 'owner'), replaced by each newer event.
CREATE TABLE list_member (
  list_id uuid NOT NULL,
  user_id uuid NOT NULL,
  role text NOT NULL,
  PRIMARY KEY (list_id, user_id)
);
-- A person's lists: every visibility query starts here.
CREATE INDEX list_member_user ON list_member (user_id, list_id);

-- The name shown as actor_name.
ALTER TABLE person ADD COLUMN name text;

-- A task's list (NULL for a task only known from events older than lists: its owner sees it).
ALTER TABLE task_state ADD COLUMN list_id uuid;
CREATE INDEX task_state_list ON task_state (list_id) WHERE NOT deleted;

-- Each event's list and actor (NULL when the event did not say: older events, the scheduler).
ALTER TABLE activity ADD COLUMN list_id uuid, ADD COLUMN actor_id uuid;
CREATE INDEX activity_list_seq ON activity (list_id, seq) WHERE list_id IS NOT NULL;
CREATE INDEX activity_list_kind_at ON activity (list_id, kind, at) WHERE list_id IS NOT NULL;
CREATE INDEX activity_list_completed ON activity (list_id, completed_at)
  WHERE list_id IS NOT NULL AND completed_at IS NOT NULL;
-- A person's tasks that name no list yet (the owner rule, and their inbox's view of them).
CREATE INDEX task_state_owner_unlisted ON task_state (owner_id) WHERE list_id IS NULL AND NOT deleted;
