-- Compliments for the service stars: a survey comment or an inbound customer message that names a
-- staff member and reads positive, found once in Node when the text arrives (the names and the
-- sentiment are not SQL: src/daily-figures/compliments.ts) and kept one row per text and person
-- named, on the UTC day of the text. Found against every staff member, active or not, so a page
-- that counts only today's active people reads the same rows whoever joins, leaves or changes role.
CREATE TABLE compliments (
  source text NOT NULL,          -- 'response:<id>' or 'entry:<id>'
  staff_id bigint NOT NULL,
  day date NOT NULL,
  case_id bigint,
  customer_id bigint,
  PRIMARY KEY (source, staff_id)
);
CREATE INDEX compliments_day_idx ON compliments (day, staff_id);
CREATE INDEX compliments_case_idx ON compliments (case_id) WHERE case_id IS NOT NULL;
CREATE INDEX compliments_customer_idx ON compliments (customer_id) WHERE customer_id IS NOT NULL;
-- A month's comments (the review's themes, the compliments of a period's partial days) without its other answers.
CREATE INDEX survey_responses_comment_time_idx ON survey_responses (started_at) WHERE comment IS NOT NULL;
-- A case's survey answers, found again when its owner changes or its customer is erased.
CREATE INDEX IF NOT EXISTS survey_responses_case_idx ON survey_responses (case_id) WHERE case_id IS NOT NULL;

-- The rows hold every day from compliments_from on (the texts that arrive from tomorrow are all
-- found by the subscriber); earlier days are read from the raw texts until rebuildSummaries has
-- found them (it then sets -infinity). A database without a text yet keeps every day from the start.
ALTER TABLE daily_figures_state ADD COLUMN compliments_from date NOT NULL DEFAULT 'infinity';
UPDATE daily_figures_state SET compliments_from = CASE
  WHEN EXISTS (SELECT 1 FROM survey_responses WHERE comment IS NOT NULL) OR EXISTS (SELECT 1 FROM case_entries WHERE kind = 'inbound_message')
  THEN (now() AT TIME ZONE 'UTC')::date + 1 ELSE '-infinity' END;

-- The subscriber that finds them starts here, not at the beginning of the stream: the history is
-- what rebuildSummaries is for.
INSERT INTO event_cursors (subscriber, last_tx_id, last_id)
  SELECT 'daily-figures.compliments', pg_current_xact_id(), coalesce(max(id), 0) FROM domain_events
  ON CONFLICT (subscriber) DO NOTHING;
