DELETE FROM person WHERE user_id = $1
