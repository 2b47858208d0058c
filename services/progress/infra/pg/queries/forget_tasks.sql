DELETE FROM task_state WHERE owner_id = $1
