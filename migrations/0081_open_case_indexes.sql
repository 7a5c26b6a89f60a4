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

-- Words in messages: the planner chooses between the full-text index (a rare word: an order
-- number, a name) and walking the newest cases (a common word) by how often it thinks the word
-- occurs. The default sample knows only ~100 common words, so every other word looked common
-- too; a larger sample tells rare words apart.
ALTER INDEX case_entries_text_idx ALTER COLUMN 1 SET STATISTICS 1000;

-- Service stars (and the monthly review that shows them) read one month of customers' messages
-- and of promises that fell due, not the whole history.
CREATE INDEX case_entries_inbound_time_idx ON case_entries (created_at) WHERE kind = 'inbound_message';
CREATE INDEX commitments_settled_idx ON commitments ((coalesce(kept_at, broken_at))) WHERE kind = 'promise';
