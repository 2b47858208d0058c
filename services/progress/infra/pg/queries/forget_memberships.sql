DELETE FROM list_member WHERE user_id = $1
