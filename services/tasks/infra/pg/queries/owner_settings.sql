-- What the user replica knows of an owner ($1): no row for an unknown or deleted user.
SELECT timezone, default_task_ttl_seconds FROM user_replica WHERE id = $1 AND NOT deleted
