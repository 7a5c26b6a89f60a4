-- Moments of truth, department scorecards and service stars.
-- The customer journey: touchpoints in order, each owned by a department. Cases, surveys,
-- invitations and answers keep referring to a touchpoint by its key (the text they always had),
-- so existing free text keeps working and unknown values can be listed for an admin to map.
CREATE TABLE touchpoints (
  id bigserial PRIMARY KEY,
  key text NOT NULL UNIQUE CHECK (key = lower(key) AND length(key) BETWEEN 1 AND 100),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  department_id bigint REFERENCES departments(id),
  moment_of_truth boolean NOT NULL DEFAULT false,
  -- The touchpoint this one follows in the journey (null: a start); cycles are refused by the service.
  after_id bigint REFERENCES touchpoints(id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX touchpoints_name_idx ON touchpoints (lower(name));

ALTER TABLE organisation
  -- Bad experiences are remembered about seven times longer than good ones.
  ADD COLUMN bad_experience_weight numeric NOT NULL DEFAULT 7 CHECK (bad_experience_weight BETWEEN 1 AND 20),
  -- Star categories an admin has switched off (never a way to add one: there is no sales category).
  ADD COLUMN star_excluded_categories text[] NOT NULL DEFAULT '{}';

-- Internal requests: a case whose requester is a department rather than a customer.
ALTER TABLE cases ADD COLUMN requester_department_id bigint REFERENCES departments(id);
CREATE INDEX cases_caused_by_opened_idx ON cases (caused_by_department_id, opened_at) WHERE caused_by_department_id IS NOT NULL;
-- Replaces the portal's index on touchpoint alone: this one also serves the map's period filter.
DROP INDEX IF EXISTS cases_touchpoint_idx;
CREATE INDEX cases_touchpoint_idx ON cases (touchpoint, opened_at) WHERE touchpoint IS NOT NULL;

-- Kudos: recognition from a colleague or a customer, always with a reason; never to oneself.
CREATE TABLE kudos (
  id bigserial PRIMARY KEY,
  to_staff_id bigint NOT NULL REFERENCES staff(id),
  from_staff_id bigint REFERENCES staff(id),
  from_customer_id bigint REFERENCES customers(id),
  case_id bigint REFERENCES cases(id),
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
  created_at timestamptz NOT NULL,
  CHECK ((from_staff_id IS NULL) <> (from_customer_id IS NULL)),
  CHECK (from_staff_id IS DISTINCT FROM to_staff_id)
);
CREATE INDEX kudos_to_idx ON kudos (to_staff_id, created_at);
CREATE INDEX kudos_created_idx ON kudos (created_at DESC, id DESC);
