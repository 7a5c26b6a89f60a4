-- Data rights: a customer erased on request keeps their row (so cases, scores and promises stay
-- countable) but loses everything that identifies them; erased_at says when.
ALTER TABLE customers ADD COLUMN erased_at timestamptz;

-- Retention: the raw bytes of an email are emptied after the configured months; when, is kept.
ALTER TABLE inbound_emails ADD COLUMN raw_erased_at timestamptz;
CREATE INDEX inbound_emails_raw_retention ON inbound_emails (received_at) WHERE raw_erased_at IS NULL;
