-- Voice of the customer: surveys that predict loyalty, invitations with unguessable single-use
-- tokens, responses (partial answers kept), and the closed loop to a recovery case.

ALTER TABLE organisation ADD COLUMN survey_cooldown_days integer NOT NULL DEFAULT 30 CHECK (survey_cooldown_days >= 0);
ALTER TABLE outbound_emails DROP CONSTRAINT outbound_emails_kind_check;
ALTER TABLE outbound_emails ADD CONSTRAINT outbound_emails_kind_check CHECK (kind IN ('reply', 'acknowledgement', 'survey'));
ALTER TABLE outbound_emails ALTER COLUMN case_id DROP NOT NULL;

CREATE TABLE surveys (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL,
  trigger text NOT NULL CHECK (trigger IN ('case_resolved', 'touchpoint', 'relationship')),
  touchpoint text,
  segment text,
  questions jsonb NOT NULL,
  active boolean NOT NULL DEFAULT true,
  expires_after_days integer NOT NULL DEFAULT 14 CHECK (expires_after_days > 0),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE survey_invitations (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  survey_id bigint NOT NULL REFERENCES surveys(id),
  customer_id bigint NOT NULL REFERENCES customers(id),
  case_id bigint REFERENCES cases(id),
  token_hash bytea NOT NULL UNIQUE,
  channel text NOT NULL CHECK (channel IN ('email', 'portal')),
  -- who and what the answer will be about, as it was when we asked
  agent_id bigint REFERENCES staff(id),
  team_id bigint REFERENCES teams(id),
  department_id bigint REFERENCES departments(id),
  case_type text,
  case_channel text,
  touchpoint text,
  sent_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  opened_at timestamptz
);
CREATE INDEX survey_invitations_customer_idx ON survey_invitations (customer_id, sent_at DESC);

CREATE TABLE survey_responses (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  survey_id bigint NOT NULL REFERENCES surveys(id),
  invitation_id bigint UNIQUE REFERENCES survey_invitations(id),
  customer_id bigint REFERENCES customers(id),
  external_ref text,
  case_id bigint REFERENCES cases(id),
  agent_id bigint REFERENCES staff(id),
  team_id bigint REFERENCES teams(id),
  department_id bigint REFERENCES departments(id),
  case_type text,
  case_channel text,
  touchpoint text,
  answers jsonb NOT NULL DEFAULT '{}',
  nps smallint CHECK (nps BETWEEN 0 AND 10),
  ces smallint CHECK (ces BETWEEN 1 AND 7),
  csat smallint CHECK (csat BETWEEN 1 AND 5),
  stay smallint CHECK (stay BETWEEN 0 AND 10),
  expectation text CHECK (expectation IN ('below', 'met', 'above')),
  comment text,
  complaint boolean NOT NULL DEFAULT false,
  language text,
  started_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  completed_at timestamptz,
  imported boolean NOT NULL DEFAULT false,
  recovery_case_id bigint REFERENCES cases(id),
  follow_up_outcome text,
  follow_up_at timestamptz
);
CREATE INDEX survey_responses_time_idx ON survey_responses (started_at);
CREATE INDEX survey_responses_survey_idx ON survey_responses (survey_id, started_at);
