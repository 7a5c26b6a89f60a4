-- Lists at ten million cases (issue 16). A real help desk is 95 % resolved or closed cases and a
-- few thousand open ones: the queues (mine, my team's, unowned, at risk, the counts beside them)
-- read only the open ones, newest first. These partial indexes hold just those few thousand rows,
-- so a queue never walks an owner's or a team's years of closed cases to fill a page.
CREATE INDEX cases_open_idx ON cases (id DESC) WHERE status NOT IN ('resolved', 'closed');
CREATE INDEX cases_open_owner_idx ON cases (owner_id, id DESC) WHERE status NOT IN ('resolved', 'closed');
CREATE INDEX cases_open_team_idx ON cases (team_id, id DESC) WHERE status NOT IN ('resolved', 'closed');

-- Search finds cases by a piece of their subject or of the customer's name ("ILIKE '%word%'"):
-- trigram indexes answer that without reading every case (pg_trgm ships with PostgreSQL).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX cases_subject_trgm_idx ON cases USING gin (subject gin_trgm_ops);
CREATE INDEX customers_name_trgm_idx ON customers USING gin (name gin_trgm_ops);
