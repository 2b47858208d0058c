-- Events that kept failing after their last delivery: parked here, counted, never blocking.
CREATE TABLE dead_letters (
  id bigserial PRIMARY KEY,
  subject text NOT NULL,
  msg_id text,
  payload text NOT NULL,
  error text NOT NULL,
  parked_at timestamptz NOT NULL DEFAULT now()
);
