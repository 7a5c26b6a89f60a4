-- Routing new unowned cases to an owner. A team may route its queue automatically (round robin
-- among its available members, each under a capacity of open cases); inbound mail goes to the
-- organisation's default team. Nothing routes until an admin turns it on for a team.
ALTER TABLE teams
  ADD COLUMN auto_assign boolean NOT NULL DEFAULT false,
  ADD COLUMN open_case_capacity integer NOT NULL DEFAULT 25 CHECK (open_case_capacity BETWEEN 1 AND 10000),
  -- The round-robin pointer: the next case goes to the first eligible member after this one.
  ADD COLUMN last_routed_staff_id bigint REFERENCES staff(id);

ALTER TABLE staff
  -- Set by the person themselves (off on leave, in training, at lunch); only available staff are routed to.
  ADD COLUMN available boolean NOT NULL DEFAULT true,
  -- A personal capacity replaces the team's.
  ADD COLUMN open_case_capacity integer CHECK (open_case_capacity BETWEEN 0 AND 10000);

ALTER TABLE organisation
  ADD COLUMN inbound_team_id bigint REFERENCES teams(id);

