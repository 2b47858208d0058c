-- Rebuild: the read model emptied in one statement (the consumer then replays the stream).
TRUNCATE person, forgotten_person, task_state, activity
