-- A relationship survey sent to a segment: one row per send, with who chose it and what was
-- skipped; each invitation knows its send and the email that carries it, so progress (queued,
-- sent, failed, answered) is counted from the rows themselves.
CREATE TABLE survey_sends (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  survey_id bigint NOT NULL REFERENCES surveys(id),
  segment text,
  contacted_within_days integer CHECK (contacted_within_days > 0),
  requested_by_id bigint REFERENCES staff(id),
  customers integer NOT NULL,
  invited integer NOT NULL,
  skipped jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL
);
CREATE INDEX survey_sends_survey_idx ON survey_sends (survey_id, id DESC);

-- Plain bookkeeping links, without foreign keys: a send writes 100,000 invitations in one
-- statement, and checking two more keys row by row cost more than a third of its time. Neither
-- sends nor outbound emails are ever deleted, and both links are written by that one statement.
ALTER TABLE survey_invitations ADD COLUMN send_id bigint;
ALTER TABLE survey_invitations ADD COLUMN outbound_email_id bigint;
CREATE INDEX survey_invitations_send_idx ON survey_invitations (send_id) WHERE send_id IS NOT NULL;
-- Segments are chosen by name: finding 100,000 of them should not read every customer.
CREATE INDEX IF NOT EXISTS customers_segment_idx ON customers (segment) WHERE merged_into_id IS NULL;
-- Who has an open recovery (never surveyed meanwhile), for a whole segment at once.
CREATE INDEX IF NOT EXISTS recoveries_open_customer_idx ON recoveries (customer_id) WHERE status = 'open';

-- Mail merge: a send's emails share one template per language and carry only what differs (the
-- greeting's name, the survey token); the outbox fills them in as it sends. 100,000 rows of a
-- few dozen bytes instead of 100,000 rendered bodies of several kilobytes.
CREATE TABLE outbound_templates (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  subject text NOT NULL,
  text_body text NOT NULL,
  html_body text NOT NULL,
  created_at timestamptz NOT NULL
);
-- No foreign key, for the same reason as above; templates are never deleted.
ALTER TABLE outbound_emails ADD COLUMN template_id bigint;
ALTER TABLE outbound_emails ADD COLUMN merge jsonb;
