-- Which of the owners of a batch were deleted (their task events are dropped).
SELECT user_id::text AS user_id FROM forgotten_person WHERE user_id = ANY($1::uuid[])
