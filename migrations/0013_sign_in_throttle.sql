-- Recent failed sign-ins, one row per failure per key ('email:<lowercased address>' and
-- 'ip:<address>'). Kept in the database, not in memory, so the limit holds across every app
-- instance on the same database. Rows older than the throttle window are deleted as new
-- attempts come in.
CREATE TABLE sign_in_failures (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  key text NOT NULL,
  failed_at timestamptz NOT NULL
);
CREATE INDEX sign_in_failures_key_idx ON sign_in_failures (key, failed_at);
CREATE INDEX sign_in_failures_age_idx ON sign_in_failures (failed_at);
