-- Email channel. Every inbound message is stored raw before it is acknowledged (SMTP 250 or
-- IMAP flag); processing into cases happens after, and a message that cannot be processed is
-- quarantined with its reason, never dropped. Outbound mail is a durable queue with retries.

ALTER TABLE organisation ADD COLUMN support_addresses text[] NOT NULL DEFAULT '{}';

CREATE TABLE inbound_emails (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source text NOT NULL,                 -- 'smtp' or 'imap:<mailbox id>'
  envelope_from text,
  envelope_to text[] NOT NULL DEFAULT '{}',
  raw bytea NOT NULL,
  received_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'processed', 'quarantined', 'ignored')),
  reason text,
  message_id text,
  automatic text,                       -- why it was recognised as automatic (auto-reply, bounce, loop)
  case_id bigint REFERENCES cases(id),
  entry_id bigint REFERENCES case_entries(id),
  processed_at timestamptz,
  attempts integer NOT NULL DEFAULT 0
);
CREATE INDEX inbound_emails_pending_idx ON inbound_emails (id) WHERE status = 'received';
CREATE INDEX inbound_emails_quarantine_idx ON inbound_emails (id) WHERE status = 'quarantined';
CREATE INDEX inbound_emails_message_id_idx ON inbound_emails (message_id);
CREATE INDEX inbound_emails_case_idx ON inbound_emails (case_id, id);

CREATE TABLE outbound_emails (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id bigint NOT NULL REFERENCES cases(id),
  entry_id bigint REFERENCES case_entries(id),
  kind text NOT NULL CHECK (kind IN ('reply', 'acknowledgement')),
  to_address text NOT NULL,
  subject text NOT NULL,
  message_id text NOT NULL UNIQUE,
  in_reply_to text,
  "references" text[] NOT NULL DEFAULT '{}',
  text_body text NOT NULL,
  html_body text NOT NULL,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  last_error text,
  created_at timestamptz NOT NULL,
  sent_at timestamptz
);
CREATE INDEX outbound_emails_due_idx ON outbound_emails (next_attempt_at) WHERE status = 'queued';
CREATE INDEX outbound_emails_case_idx ON outbound_emails (case_id, id);

CREATE TABLE attachments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id bigint REFERENCES cases(id),
  entry_id bigint REFERENCES case_entries(id),
  inbound_email_id bigint REFERENCES inbound_emails(id),
  filename text NOT NULL,
  declared_type text,
  content_type text NOT NULL,           -- detected from the bytes, not trusted from the sender
  size integer NOT NULL,
  sha256 text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX attachments_case_idx ON attachments (case_id);

CREATE TABLE mailboxes (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL,
  host text NOT NULL,
  port integer NOT NULL,
  secure boolean NOT NULL DEFAULT true,
  username text NOT NULL,
  password text NOT NULL,
  folder text NOT NULL DEFAULT 'INBOX',
  move_to text,                         -- folder to move stored messages to; else they are flagged
  active boolean NOT NULL DEFAULT true,
  last_error text,
  last_polled_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
