DELETE FROM activity WHERE owner_id = $1
