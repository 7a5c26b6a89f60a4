-- The seven loyalty inputs: a self-assessment by several leaders each quarter, an accountable
-- leader per input, and actions that are promises (commitments without a case or customer).
ALTER TABLE commitments ALTER COLUMN customer_id DROP NOT NULL;

CREATE TABLE loyalty_inputs (
  key text PRIMARY KEY CHECK (key IN ('leadership_focus', 'right_people', 'service_culture', 'systems_and_processes', 'education', 'investment', 'measurement')),
  leader_id bigint REFERENCES staff(id),
  updated_at timestamptz NOT NULL
);

CREATE TABLE loyalty_input_ratings (
  id bigserial PRIMARY KEY,
  input_key text NOT NULL CHECK (input_key IN ('leadership_focus', 'right_people', 'service_culture', 'systems_and_processes', 'education', 'investment', 'measurement')),
  quarter text NOT NULL CHECK (quarter ~ '^[0-9]{4}-Q[1-4]$'),
  rater_id bigint NOT NULL REFERENCES staff(id),
  current_level integer NOT NULL CHECK (current_level BETWEEN 1 AND 5),
  target_level integer NOT NULL CHECK (target_level BETWEEN 1 AND 5),
  evidence text CHECK (length(evidence) <= 4000),
  rated_at timestamptz NOT NULL,
  UNIQUE (input_key, quarter, rater_id)
);

CREATE TABLE loyalty_input_actions (
  id bigserial PRIMARY KEY,
  input_key text NOT NULL CHECK (input_key IN ('leadership_focus', 'right_people', 'service_culture', 'systems_and_processes', 'education', 'investment', 'measurement')),
  commitment_id bigint NOT NULL UNIQUE REFERENCES commitments(id),
  created_at timestamptz NOT NULL
);
