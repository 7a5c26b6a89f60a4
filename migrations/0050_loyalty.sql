-- Loyalty science and listening: every answer's language and sentiment, imported answers' segment
-- and attributes (re-importing a file is recognised by survey and reference), what customers did
-- (purchases, visits, renewals, cancellations), and everything customers wrote, read in their language.

ALTER TABLE survey_responses ADD COLUMN language text;
ALTER TABLE survey_responses ADD COLUMN sentiment real;
ALTER TABLE survey_responses ADD COLUMN segment text;
ALTER TABLE survey_responses ADD COLUMN attributes jsonb NOT NULL DEFAULT '{}';
-- Custom scales (satisfaction 1–10, say) live in answers; csat keeps its standard 1–5 column.
CREATE INDEX survey_responses_ref_idx ON survey_responses (survey_id, external_ref) WHERE external_ref IS NOT NULL;
CREATE INDEX survey_responses_customer_idx ON survey_responses (customer_id, started_at) WHERE customer_id IS NOT NULL;

CREATE TABLE customer_activities (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers(id),
  kind text NOT NULL CHECK (kind IN ('purchase', 'visit', 'renewal', 'cancellation')),
  amount numeric(14, 2),
  occurred_at timestamptz NOT NULL,
  -- the sender's own id for the event: sending it again changes nothing
  external_ref text UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customer_activities_customer_idx ON customer_activities (customer_id, occurred_at);
CREATE INDEX customer_activities_time_idx ON customer_activities (occurred_at);

CREATE TABLE listening_texts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source text NOT NULL CHECK (source IN ('survey', 'message')),
  source_ref text NOT NULL UNIQUE,
  case_id bigint REFERENCES cases(id),
  customer_id bigint REFERENCES customers(id),
  touchpoint text,
  department_id bigint REFERENCES departments(id),
  text text NOT NULL,
  language text NOT NULL,
  sentiment real NOT NULL,
  complaint boolean NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX listening_texts_time_idx ON listening_texts (at);
