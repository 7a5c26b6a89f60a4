-- Macros (canned replies): a personal one belongs to its author, a team one to a team. Their text
-- may carry placeholders ({{salutation}}, {{expected}}, {{case}}) filled in on the case.
CREATE TABLE macros (
  id bigserial PRIMARY KEY,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
  owner_id bigint REFERENCES staff(id),
  team_id bigint REFERENCES teams(id),
  created_by_id bigint NOT NULL REFERENCES staff(id),
  created_at timestamptz NOT NULL,
  CHECK ((owner_id IS NULL) <> (team_id IS NULL))
);
CREATE INDEX macros_owner ON macros (owner_id) WHERE owner_id IS NOT NULL;
CREATE INDEX macros_team ON macros (team_id) WHERE team_id IS NOT NULL;
