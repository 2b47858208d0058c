-- A session (refresh-token family) ends at a fixed time however often it is refreshed
-- (OWASP ASVS: absolute session lifetime).
ALTER TABLE session_families
  ADD COLUMN expires_at timestamptz NOT NULL DEFAULT now() + interval '90 days';
