-- The activity feed keeps a bounded window (TODO_ACTIVITY_RETENTION_DAYS): the sweeper finds
-- what fell out of it by time.
CREATE INDEX activity_at ON activity (at);
