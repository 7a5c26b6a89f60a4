-- Saved views of Queues, kept on the server so they follow the person to any browser: personal
-- (owner_id) or shared with a team (team_id) by its lead, a manager or an admin. The filters are
-- the screen's own (view, team, tag, priority, channel, touchpoint, words), read relative to the
-- person looking ("mine", "my team", "due within 2 h from now").
CREATE TABLE saved_views (
  id bigserial PRIMARY KEY,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
  filters jsonb NOT NULL,
  owner_id bigint REFERENCES staff(id),
  team_id bigint REFERENCES teams(id),
  created_by_id bigint NOT NULL REFERENCES staff(id),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CHECK ((owner_id IS NULL) <> (team_id IS NULL))
);
CREATE UNIQUE INDEX saved_views_owner_name ON saved_views (owner_id, lower(name)) WHERE owner_id IS NOT NULL;
CREATE UNIQUE INDEX saved_views_team_name ON saved_views (team_id, lower(name)) WHERE team_id IS NOT NULL;

-- Macros gain an edit time: their owner (or the team's lead) corrects them in place.
ALTER TABLE macros ADD COLUMN updated_at timestamptz;
