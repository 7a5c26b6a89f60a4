-- The follow-up question after a recovery goes to the customer as a one-question survey.
ALTER TABLE surveys DROP CONSTRAINT surveys_trigger_check;
ALTER TABLE surveys ADD CONSTRAINT surveys_trigger_check CHECK (trigger IN ('case_resolved', 'touchpoint', 'relationship', 'recovery_follow_up'));
ALTER TABLE survey_invitations ADD COLUMN recovery_id bigint REFERENCES recoveries(id);
ALTER TABLE recoveries ADD COLUMN follow_up_asked_at timestamptz;
ALTER TABLE recoveries ADD COLUMN follow_up_reminded_at timestamptz;
