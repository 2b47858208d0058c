-- q: one GIN index on the owner and the text's trigrams (btree_gin gives uuid a GIN operator
-- class), so a search reads only the owner's matching entries: a q without a match reads a few
-- index pages whatever the owner's or the table's size. The list statements reach it through
-- their q predicate (see list_created_desc.sql). The text-only trigram index it replaces would
-- intersect a q's trigrams over everyone's tasks, so the planner preferred reading the owner's
-- tasks in list order, all of them when nothing matched.
-- A small pending list (fastupdate's unsorted entries, which every search reads in full):
-- 128 kB, at most 16 pages, instead of the 4 MB default; inserts merge it in small batches at
-- no measurable cost.
CREATE EXTENSION IF NOT EXISTS btree_gin;

CREATE INDEX tasks_owner_text_trgm ON tasks
  USING gin (owner_id, (title || ' ' || description) gin_trgm_ops)
  WITH (gin_pending_list_limit = 128);
DROP INDEX tasks_text_trgm;
