SELECT COALESCE(max(seq), 0) AS latest_seq FROM activity WHERE owner_id = $1
