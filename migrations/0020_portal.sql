-- The customer's side: the web form and the portal.
-- Magic links: single-use, expiring; only the SHA-256 of the token is stored.
CREATE TABLE portal_links (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers(id),
  token_hash bytea NOT NULL UNIQUE,
  language text NOT NULL DEFAULT 'en',
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX portal_links_customer_idx ON portal_links (customer_id);

-- Customer sessions, apart from staff sessions: a customer is never staff.
CREATE TABLE portal_sessions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers(id),
  token_hash bytea NOT NULL UNIQUE,
  remember boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX portal_sessions_customer_idx ON portal_sessions (customer_id);

-- Hits on public endpoints (the form, magic links) per key ('form-ip:1.2.3.4',
-- 'form-email:a@b', 'link-ip:…', 'link-email:…'). In the database so the limit holds across
-- every app instance; rows older than the window are deleted as new hits come in.
CREATE TABLE public_hits (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  key text NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX public_hits_key_idx ON public_hits (key, at);
CREATE INDEX public_hits_age_idx ON public_hits (at);

-- The staff side sees when the customer last looked at the latest reply in the portal.
ALTER TABLE cases ADD COLUMN customer_viewed_reply_at timestamptz;

-- How long after resolution a customer may reopen their case from the portal.
ALTER TABLE organisation ADD COLUMN portal_reopen_days integer NOT NULL DEFAULT 14 CHECK (portal_reopen_days BETWEEN 0 AND 365);

-- The web form lists the touchpoints used so far: distinct values found by skipping through this index.
CREATE INDEX cases_touchpoint_idx ON cases (touchpoint) WHERE touchpoint IS NOT NULL;

-- Spent and expired sign-ins are swept a day after they stop working.
CREATE INDEX portal_links_expiry_idx ON portal_links (expires_at);
CREATE INDEX portal_sessions_expiry_idx ON portal_sessions (expires_at);
