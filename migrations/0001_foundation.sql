-- Foundation: organisation, people, customers, cases with one owner, hand-overs,
-- commitments, service standards, audit trail. Timers are the due columns themselves
-- (swept with FOR UPDATE SKIP LOCKED), so they survive restarts and fire once.

CREATE TABLE organisation (
  id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  name text NOT NULL,
  time_zone text NOT NULL DEFAULT 'UTC',
  -- {"mon": [["09:00","17:00"]], "tue": [...], ...}; a missing or empty day is closed.
  business_hours jsonb NOT NULL,
  handover_expiry_minutes integer NOT NULL DEFAULT 240 CHECK (handover_expiry_minutes > 0),
  commitment_warning_minutes integer NOT NULL DEFAULT 60 CHECK (commitment_warning_minutes >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE holidays (
  day date PRIMARY KEY,
  name text NOT NULL
);

CREATE TABLE departments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE,
  description text,
  serves_external_customers boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE staff (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL,
  email text NOT NULL,
  role text NOT NULL CHECK (role IN ('agent', 'lead', 'manager', 'admin', 'executive')),
  department_id bigint REFERENCES departments(id),
  team_id bigint,
  password_hash text,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX staff_email_key ON staff (lower(email));

CREATE TABLE teams (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE,
  department_id bigint REFERENCES departments(id),
  lead_id bigint REFERENCES staff(id),
  created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE staff ADD CONSTRAINT staff_team_fk FOREIGN KEY (team_id) REFERENCES teams(id);

CREATE TABLE sessions (
  token_hash bytea PRIMARY KEY,
  staff_id bigint NOT NULL REFERENCES staff(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_staff_idx ON sessions (staff_id);

CREATE TABLE api_tokens (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  staff_id bigint NOT NULL REFERENCES staff(id),
  name text NOT NULL,
  token_hash bytea NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);

CREATE TABLE customers (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL,
  title text,
  given_name text,
  family_name text,
  -- Respect: title and surname until the customer says first name is fine.
  first_name_ok boolean NOT NULL DEFAULT false,
  preferred_channel text CHECK (preferred_channel IN ('email', 'phone', 'chat', 'web', 'in_person', 'other')),
  language text,
  notes text,
  segment text,
  merged_into_id bigint REFERENCES customers(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customers_name_idx ON customers (lower(name) text_pattern_ops);

CREATE TABLE customer_emails (
  email text NOT NULL,
  customer_id bigint NOT NULL REFERENCES customers(id)
);
CREATE UNIQUE INDEX customer_emails_key ON customer_emails (lower(email));
CREATE INDEX customer_emails_customer_idx ON customer_emails (customer_id);

CREATE TABLE customer_phones (
  phone text NOT NULL,
  customer_id bigint NOT NULL REFERENCES customers(id)
);
CREATE INDEX customer_phones_customer_idx ON customer_phones (customer_id);
CREATE INDEX customer_phones_phone_idx ON customer_phones (phone);

CREATE TABLE service_standards (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_type text,            -- NULL: any type
  channel text,              -- NULL: any channel
  first_response_minutes integer NOT NULL CHECK (first_response_minutes > 0),
  resolution_minutes integer NOT NULL CHECK (resolution_minutes > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE NULLS NOT DISTINCT (case_type, channel)
);

CREATE TABLE cases (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  subject text NOT NULL,
  customer_id bigint NOT NULL REFERENCES customers(id),
  channel text NOT NULL CHECK (channel IN ('email', 'phone', 'chat', 'web', 'in_person', 'other')),
  type text NOT NULL DEFAULT 'question',
  priority text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
  status text NOT NULL DEFAULT 'new'
    CHECK (status IN ('new', 'open', 'waiting_on_customer', 'waiting_on_us', 'resolved', 'closed')),
  owner_id bigint REFERENCES staff(id),
  team_id bigint REFERENCES teams(id),
  touchpoint text,
  caused_by_department_id bigint REFERENCES departments(id),
  tags text[] NOT NULL DEFAULT '{}',
  opened_at timestamptz NOT NULL,
  first_responded_at timestamptz,
  resolved_at timestamptz,
  closed_at timestamptz,
  -- What the customer was told, computed from the service standard when the case opened.
  first_response_due_at timestamptz,
  resolution_due_at timestamptz,
  -- The standard's clock is stopped while we wait on the customer.
  clock_paused_at timestamptz,
  handover_count integer NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL,
  -- Only a brand-new case may sit in a team queue without an owner.
  CONSTRAINT cases_owned CHECK (status = 'new' OR owner_id IS NOT NULL)
);
CREATE INDEX cases_owner_idx ON cases (owner_id, id DESC);
CREATE INDEX cases_status_idx ON cases (status, id DESC);
CREATE INDEX cases_team_idx ON cases (team_id, id DESC);
CREATE INDEX cases_customer_idx ON cases (customer_id, id DESC);
CREATE INDEX cases_resolution_due_idx ON cases (resolution_due_at, id)
  WHERE status NOT IN ('resolved', 'closed');
CREATE INDEX cases_tags_idx ON cases USING gin (tags);
CREATE INDEX cases_caused_by_idx ON cases (caused_by_department_id) WHERE caused_by_department_id IS NOT NULL;

CREATE TABLE case_entries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id bigint NOT NULL REFERENCES cases(id),
  kind text NOT NULL,
  author_id bigint REFERENCES staff(id),
  body text,
  data jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL
);
CREATE INDEX case_entries_case_idx ON case_entries (case_id, id);

CREATE TABLE handovers (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id bigint NOT NULL REFERENCES cases(id),
  offered_by_id bigint NOT NULL REFERENCES staff(id),
  from_owner_id bigint REFERENCES staff(id),
  to_staff_id bigint REFERENCES staff(id),
  to_team_id bigint REFERENCES teams(id),
  note text NOT NULL CHECK (length(btrim(note)) > 0),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'declined', 'expired', 'withdrawn')),
  decline_reason text,
  offered_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  answered_at timestamptz,
  answered_by_id bigint REFERENCES staff(id),
  CONSTRAINT handovers_one_receiver CHECK ((to_staff_id IS NULL) <> (to_team_id IS NULL))
);
-- Only one offer per case may be pending: the database settles races between instances.
CREATE UNIQUE INDEX handovers_one_pending ON handovers (case_id) WHERE status = 'pending';
CREATE INDEX handovers_expiry_idx ON handovers (expires_at) WHERE status = 'pending';
CREATE INDEX handovers_to_staff_idx ON handovers (to_staff_id) WHERE status = 'pending';
CREATE INDEX handovers_to_team_idx ON handovers (to_team_id) WHERE status = 'pending';
CREATE INDEX handovers_case_idx ON handovers (case_id, id);

CREATE TABLE commitments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id bigint REFERENCES cases(id),
  customer_id bigint NOT NULL REFERENCES customers(id),
  -- 'promise': made by a person. 'first_response' / 'resolution': the organisation's
  -- service standard, told to the customer when the case opened.
  kind text NOT NULL DEFAULT 'promise' CHECK (kind IN ('promise', 'first_response', 'resolution')),
  text text NOT NULL,
  owner_id bigint REFERENCES staff(id),
  team_id bigint REFERENCES teams(id),
  department_id bigint REFERENCES departments(id),
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'kept', 'renegotiated', 'broken')),
  due_at timestamptz NOT NULL,
  warn_at timestamptz,
  warned_at timestamptz,
  paused_at timestamptz,
  renegotiation_count integer NOT NULL DEFAULT 0,
  created_by_id bigint REFERENCES staff(id),
  created_at timestamptz NOT NULL,
  kept_at timestamptz,
  broken_at timestamptz,
  CONSTRAINT commitments_promise_has_owner CHECK (kind <> 'promise' OR owner_id IS NOT NULL)
);
CREATE INDEX commitments_due_idx ON commitments (due_at)
  WHERE status IN ('open', 'renegotiated') AND paused_at IS NULL;
CREATE INDEX commitments_warn_idx ON commitments (warn_at)
  WHERE status IN ('open', 'renegotiated') AND warned_at IS NULL;
CREATE INDEX commitments_owner_idx ON commitments (owner_id, due_at);
CREATE INDEX commitments_case_idx ON commitments (case_id);

CREATE TABLE commitment_renegotiations (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  commitment_id bigint NOT NULL REFERENCES commitments(id),
  previous_due_at timestamptz NOT NULL,
  new_due_at timestamptz NOT NULL,
  customer_told_how text NOT NULL,
  customer_told_at timestamptz NOT NULL,
  note text,
  by_id bigint NOT NULL REFERENCES staff(id),
  created_at timestamptz NOT NULL
);

CREATE TABLE notifications (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  staff_id bigint NOT NULL REFERENCES staff(id),
  kind text NOT NULL,
  case_id bigint REFERENCES cases(id),
  message text NOT NULL,
  created_at timestamptz NOT NULL,
  read_at timestamptz
);
CREATE INDEX notifications_staff_idx ON notifications (staff_id, id DESC);

CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL,
  actor_id bigint REFERENCES staff(id),
  entity text NOT NULL,
  entity_id bigint NOT NULL,
  action text NOT NULL,
  before jsonb,
  after jsonb
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id, id);

CREATE TABLE idempotency_keys (
  staff_id bigint NOT NULL REFERENCES staff(id),
  key text NOT NULL,
  request_hash text NOT NULL,
  status_code integer NOT NULL,
  response jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (staff_id, key)
);
