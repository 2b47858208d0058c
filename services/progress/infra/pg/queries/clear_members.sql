DELETE FROM list_member WHERE list_id = $1
