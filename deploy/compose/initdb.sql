-- Run once, on PostgreSQL's first start (deploy/compose.yaml mounts it into
-- /docker-entrypoint-initdb.d; the official postgres image runs it the same way): the services'
-- login and one database per service, as scripts/lib/stack.sh makes them. The password comes
-- from the environment (TODO_PG_PASSWORD), never from this file.
\getenv todo_password TODO_PG_PASSWORD
\if :{?todo_password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'TODO_PG_PASSWORD is not set'; END $$;
\endif
CREATE ROLE todo LOGIN PASSWORD :'todo_password';
-- Each service owns its database, so its migrations (and CREATE EXTENSION of the trusted
-- pg_trgm and btree_gin) run as todo.
CREATE DATABASE todo_identity OWNER todo;
CREATE DATABASE todo_tasks OWNER todo;
CREATE DATABASE todo_progress OWNER todo;
