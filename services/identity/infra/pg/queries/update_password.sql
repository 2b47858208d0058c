-- updated_at stays: it belongs to the public state, which a password change does not touch
-- (and which only changes together with a todo.user.updated event).
UPDATE users SET password_hash = $2 WHERE id = $1
