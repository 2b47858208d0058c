-- Whether the person belongs to the list (its owner is a member too).
SELECT 1 AS member FROM list_member WHERE list_id = $2 AND user_id = $1
