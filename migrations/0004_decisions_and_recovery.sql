-- Empowered staff and service recovery.
-- Decisions: goodwill within authority is immediate; above it, an approval request to the lead
-- (then a manager) with its own response standard. Recoveries: a 24-hour calendar clock from
-- the OOPS to the fix, with the apology and the surprise recorded along the way.

ALTER TABLE organisation ADD COLUMN approval_response_minutes integer NOT NULL DEFAULT 240 CHECK (approval_response_minutes > 0);
ALTER TABLE organisation ADD COLUMN recovery_follow_up_days integer NOT NULL DEFAULT 3 CHECK (recovery_follow_up_days >= 0);

CREATE TABLE decision_kinds (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  key text NOT NULL UNIQUE,
  name text NOT NULL,
  active boolean NOT NULL DEFAULT true
);
INSERT INTO decision_kinds (key, name) VALUES
  ('refund', 'Refund'), ('credit', 'Credit'), ('replacement', 'Replacement'),
  ('fee_waiver', 'Fee waiver'), ('upgrade', 'Upgrade'), ('other', 'Other');

CREATE TABLE authority_limits (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind_id bigint NOT NULL REFERENCES decision_kinds(id),
  role text CHECK (role IN ('agent', 'lead', 'manager', 'admin', 'executive')),
  staff_id bigint REFERENCES staff(id),
  amount numeric(12, 2) NOT NULL CHECK (amount >= 0),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  CONSTRAINT authority_limits_one_holder CHECK ((role IS NULL) <> (staff_id IS NULL))
);
CREATE UNIQUE INDEX authority_limits_role_key ON authority_limits (kind_id, role, currency) WHERE role IS NOT NULL;
CREATE UNIQUE INDEX authority_limits_staff_key ON authority_limits (kind_id, staff_id, currency) WHERE staff_id IS NOT NULL;

CREATE TABLE policy_rules (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind_id bigint NOT NULL REFERENCES decision_kinds(id),
  description text NOT NULL,
  max_amount numeric(12, 2) NOT NULL CHECK (max_amount >= 0),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  no_claim_days integer NOT NULL CHECK (no_claim_days >= 0),
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE recoveries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id bigint NOT NULL REFERENCES cases(id),
  customer_id bigint NOT NULL REFERENCES customers(id),
  source text NOT NULL CHECK (source IN ('broken_commitment', 'missed_standard', 'complaint', 'detractor', 'staff')),
  source_ref text,
  owner_id bigint REFERENCES staff(id),
  caused_by_department_id bigint REFERENCES departments(id),
  note text,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'recovered', 'late')),
  opened_at timestamptz NOT NULL,
  due_at timestamptz NOT NULL,
  apology_at timestamptz,
  apology_how text,
  fix_at timestamptz,
  fix_what text,
  surprise_at timestamptz,
  surprise_what text,
  surprise_decision_id bigint,
  loyalty_before numeric(4, 1),
  follow_up_due_at timestamptz,
  follow_up_at timestamptz,
  loyalty_after numeric(4, 1),
  loyalty_recovered boolean
);
-- One recovery per failure: a broken promise or a detractor answer opens one, however often it is seen.
CREATE UNIQUE INDEX recoveries_source_key ON recoveries (source, source_ref) WHERE source_ref IS NOT NULL;
CREATE INDEX recoveries_owner_idx ON recoveries (owner_id, due_at) WHERE status = 'open';
CREATE INDEX recoveries_case_idx ON recoveries (case_id);
CREATE INDEX recoveries_department_idx ON recoveries (caused_by_department_id, opened_at DESC);
CREATE INDEX recoveries_follow_up_idx ON recoveries (follow_up_due_at) WHERE follow_up_at IS NULL AND follow_up_due_at IS NOT NULL;

CREATE TABLE decisions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id bigint NOT NULL REFERENCES cases(id),
  customer_id bigint NOT NULL REFERENCES customers(id),
  kind_id bigint NOT NULL REFERENCES decision_kinds(id),
  amount numeric(12, 2) NOT NULL CHECK (amount >= 0),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  reason text NOT NULL,
  requested_by_id bigint NOT NULL REFERENCES staff(id),
  team_id bigint REFERENCES teams(id),
  department_id bigint REFERENCES departments(id),
  status text NOT NULL CHECK (status IN ('approved', 'pending', 'declined')),
  within_authority boolean NOT NULL,
  limit_amount numeric(12, 2) NOT NULL,
  auto_rule_id bigint REFERENCES policy_rules(id),
  approver_id bigint REFERENCES staff(id),
  approval_due_at timestamptz,
  escalated_at timestamptz,
  decided_by_id bigint REFERENCES staff(id),
  decided_at timestamptz,
  decline_reason text,
  recovery_id bigint REFERENCES recoveries(id),
  created_at timestamptz NOT NULL
);
CREATE INDEX decisions_customer_idx ON decisions (customer_id, created_at DESC);
CREATE INDEX decisions_approver_idx ON decisions (approver_id) WHERE status = 'pending';
CREATE INDEX decisions_approval_due_idx ON decisions (approval_due_at) WHERE status = 'pending' AND escalated_at IS NULL;
CREATE INDEX decisions_case_idx ON decisions (case_id);
ALTER TABLE recoveries ADD CONSTRAINT recoveries_surprise_decision_fk FOREIGN KEY (surprise_decision_id) REFERENCES decisions(id);
