-- Relationship surveys on a schedule: every N days, to the survey's segment.
ALTER TABLE surveys ADD COLUMN every_days integer CHECK (every_days > 0);
ALTER TABLE surveys ADD COLUMN next_run_at timestamptz;
CREATE INDEX surveys_schedule_idx ON surveys (next_run_at) WHERE active AND next_run_at IS NOT NULL;
