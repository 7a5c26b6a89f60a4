-- The rows behind a case, found by the case: what an event about the case may have changed on the
-- daily figures (src/daily-figures/service.ts, daysTouched) and what a merge or an erasure reaches.
-- Without them every batch of events read the whole invitations, answers and kudos tables: a third
-- of PostgreSQL's work per new case under load, and more with every month of history.
CREATE INDEX IF NOT EXISTS survey_invitations_case_idx ON survey_invitations (case_id) WHERE case_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS survey_responses_recovery_case_idx ON survey_responses (recovery_case_id) WHERE recovery_case_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS kudos_case_idx ON kudos (case_id) WHERE case_id IS NOT NULL;
