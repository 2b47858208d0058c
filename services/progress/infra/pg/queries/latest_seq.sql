-- The newest sequence of the activity the person sees (as activity.sql), 0 when none.
SELECT GREATEST(
  COALESCE((SELECT max(seq) FROM activity WHERE owner_id = $1), 0),
  COALESCE((SELECT max(x.seq) FROM list_member m
            CROSS JOIN LATERAL (SELECT max(seq) AS seq FROM activity WHERE list_id = m.list_id) AS x
            WHERE m.user_id = $1), 0)) AS latest_seq
