-- Daily figures: counts and sums per UTC day and per touchpoint, department, staff member, and for the
-- whole organisation, so the journey map, scorecards, service stars and the monthly review read
-- days × groups rows instead of a month of raw rows. Counts, not averages: days add up.
--
-- Each *_figures(lo, hi) function is the one definition of its figures, computed from the raw rows
-- whose own moment (an answer's start, a case's opening, a promise's due/kept/broken time…) lies
-- in [lo, hi), one row per UTC day and group. The tables hold whole days of it (written by
-- refresh_daily_figures, which the daily-figures subscriber calls for the days an event touched);
-- the pages add the partial days at the ends of a period and today from the same functions.

CREATE TABLE touchpoint_days (
  day date NOT NULL,
  touchpoint text NOT NULL,
  promoters int NOT NULL, passives int NOT NULL, detractors int NOT NULL,
  ces_answers int NOT NULL, ces_sum bigint NOT NULL, ces_agree int NOT NULL,
  cases int NOT NULL, complaints int NOT NULL, repeats int NOT NULL,
  recoveries int NOT NULL, recoveries_within_24h int NOT NULL,
  promises_kept int NOT NULL, promises_broken int NOT NULL,
  PRIMARY KEY (day, touchpoint)
);

CREATE TABLE department_days (
  day date NOT NULL,
  department_id bigint NOT NULL,
  cases_caused int NOT NULL, internal_made int NOT NULL,
  handled int NOT NULL, repeats int NOT NULL,
  internal_received int NOT NULL, internal_resolved int NOT NULL, internal_with_standard int NOT NULL, internal_within_standard int NOT NULL,
  promises_made int NOT NULL, promises_kept int NOT NULL, promises_broken int NOT NULL,
  recoveries int NOT NULL, recoveries_within_24h int NOT NULL, recovery_fixes int NOT NULL, recovery_hours numeric NOT NULL,
  PRIMARY KEY (day, department_id)
);

CREATE TABLE staff_days (
  day date NOT NULL,
  staff_id bigint NOT NULL,
  kudos int NOT NULL, promises_kept int NOT NULL, promises_broken int NOT NULL,
  recoveries_recovered int NOT NULL, recoveries_settled int NOT NULL,
  promoters int NOT NULL, answers int NOT NULL,
  PRIMARY KEY (day, staff_id)
);

CREATE TABLE survey_days (
  day date PRIMARY KEY,
  promoters int NOT NULL, passives int NOT NULL, detractors int NOT NULL,
  invitations int NOT NULL, answered int NOT NULL,
  unhappy int NOT NULL, unhappy_with_recovery int NOT NULL, unhappy_fixed_within_24h int NOT NULL, unhappy_fixed_late int NOT NULL,
  unhappy_still_open int NOT NULL, unhappy_loyalty_recovered int NOT NULL, unhappy_outcome_recorded int NOT NULL,
  promises_kept int NOT NULL, promises_broken int NOT NULL
);

-- What the partial days at a period's ends read.
CREATE INDEX recoveries_opened_idx ON recoveries (opened_at);
CREATE INDEX commitments_created_idx ON commitments (created_at);
CREATE INDEX commitments_due_all_idx ON commitments (due_at);
CREATE INDEX commitments_kept_idx ON commitments (kept_at) WHERE kept_at IS NOT NULL;
CREATE INDEX commitments_broken_idx ON commitments (broken_at) WHERE broken_at IS NOT NULL;
CREATE INDEX survey_invitations_sent_idx ON survey_invitations (sent_at);

-- Per touchpoint: answers (NPS, effort) by their start, cases by their opening (a repeat: the same
-- customer had a case of the same type opened in the 7 days before), recoveries by their opening
-- (a recovery belongs to its case's touchpoint, or a detractor's recovery to the answer's), every
-- commitment on the touchpoint's cases by its due time.
CREATE FUNCTION touchpoint_figures(p_lo timestamptz, p_hi timestamptz)
RETURNS TABLE (day date, touchpoint text, promoters int, passives int, detractors int, ces_answers int, ces_sum bigint, ces_agree int,
  cases int, complaints int, repeats int, recoveries int, recoveries_within_24h int, promises_kept int, promises_broken int)
LANGUAGE sql STABLE AS $$
  SELECT x.day, x.tp, sum(x.promoters)::int, sum(x.passives)::int, sum(x.detractors)::int, sum(x.ces_answers)::int, sum(x.ces_sum)::bigint, sum(x.ces_agree)::int,
    sum(x.cases)::int, sum(x.complaints)::int, sum(x.repeats)::int, sum(x.recoveries)::int, sum(x.within)::int, sum(x.kept)::int, sum(x.broken)::int
  FROM (
    SELECT (r.started_at AT TIME ZONE 'UTC')::date AS day, r.touchpoint AS tp, (r.nps >= 9)::int AS promoters, (r.nps BETWEEN 7 AND 8)::int AS passives,
      (r.nps <= 6)::int AS detractors, (r.ces IS NOT NULL)::int AS ces_answers, coalesce(r.ces, 0) AS ces_sum, (r.ces >= 5)::int AS ces_agree,
      0 AS cases, 0 AS complaints, 0 AS repeats, 0 AS recoveries, 0 AS within, 0 AS kept, 0 AS broken
    FROM survey_responses r WHERE r.touchpoint IS NOT NULL AND r.started_at >= p_lo AND r.started_at < p_hi
    UNION ALL
    SELECT (c.opened_at AT TIME ZONE 'UTC')::date, c.touchpoint, 0, 0, 0, 0, 0, 0, 1, (c.type = 'complaint' OR 'complaint' = ANY (c.tags))::int,
      -- A scalar subquery, not EXISTS: PostgreSQL may turn EXISTS into a join that hashes every case;
      -- this stays a look-up of the customer's own cases (`+ interval '0'` keeps the planner from also
      -- reading the 7 days' cases through the index on opened_at, for every case).
      ((SELECT 1 FROM cases p WHERE p.customer_id = c.customer_id AND p.type = c.type
        AND p.opened_at + interval '0' >= c.opened_at - interval '7 days' AND p.opened_at + interval '0' < c.opened_at LIMIT 1) IS NOT NULL)::int, 0, 0, 0, 0
    FROM cases c WHERE c.touchpoint IS NOT NULL AND c.opened_at >= p_lo AND c.opened_at < p_hi
    UNION ALL
    SELECT (r.opened_at AT TIME ZONE 'UTC')::date,
      coalesce((SELECT c.touchpoint FROM cases c WHERE c.id = r.case_id), (SELECT s.touchpoint FROM survey_responses s WHERE r.source = 'detractor' AND r.source_ref = 'response:' || s.id
        AND s.id = CASE WHEN r.source_ref ~ '^response:[0-9]{1,18}$' THEN substr(r.source_ref, 10)::bigint END)),
      0, 0, 0, 0, 0, 0, 0, 0, 0, 1, (r.status = 'recovered')::int, 0, 0
    FROM recoveries r WHERE r.opened_at >= p_lo AND r.opened_at < p_hi
    UNION ALL
    -- The case's touchpoint by its primary key, row by row: a join would hash every case for a day's rows.
    SELECT (m.due_at AT TIME ZONE 'UTC')::date, (SELECT c.touchpoint FROM cases c WHERE c.id = m.case_id), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (m.status = 'kept')::int, (m.status = 'broken')::int
    FROM commitments m WHERE m.due_at >= p_lo AND m.due_at < p_hi
  ) x WHERE x.tp IS NOT NULL GROUP BY x.day, x.tp
$$;

-- Per department: cases it caused and internal requests it made (by opening); cases its teams
-- handled (by opening; a repeat: the same customer opened another case of the same type within the
-- 7 days after), internal requests received and met; promises made (by creation), kept, broken (by
-- when); recoveries it caused (by opening), fixed within 24 h, and the hours to each fix.
CREATE FUNCTION department_figures(p_lo timestamptz, p_hi timestamptz)
RETURNS TABLE (day date, department_id bigint, cases_caused int, internal_made int, handled int, repeats int,
  internal_received int, internal_resolved int, internal_with_standard int, internal_within_standard int,
  promises_made int, promises_kept int, promises_broken int, recoveries int, recoveries_within_24h int, recovery_fixes int, recovery_hours numeric)
LANGUAGE sql STABLE AS $$
  SELECT x.day, x.dept, sum(x.caused)::int, sum(x.made)::int, sum(x.handled)::int, sum(x.repeats)::int,
    sum(x.received)::int, sum(x.resolved)::int, sum(x.with_standard)::int, sum(x.within_standard)::int,
    sum(x.p_made)::int, sum(x.p_kept)::int, sum(x.p_broken)::int, sum(x.recoveries)::int, sum(x.within)::int, sum(x.fixes)::int, coalesce(sum(x.hours), 0)
  FROM (
    SELECT (c.opened_at AT TIME ZONE 'UTC')::date AS day, v.dept, v.caused, v.made, v.handled, v.repeats, v.received, v.resolved, v.with_standard, v.within_standard,
      0 AS p_made, 0 AS p_kept, 0 AS p_broken, 0 AS recoveries, 0 AS within, 0 AS fixes, NULL::numeric AS hours
    FROM cases c LEFT JOIN teams t ON t.id = c.team_id
    CROSS JOIN LATERAL (SELECT (c.requester_department_id IS NOT NULL) AS internal,
      ((SELECT 1 FROM cases p WHERE p.customer_id = c.customer_id AND p.type = c.type
        AND p.opened_at + interval '0' > c.opened_at AND p.opened_at + interval '0' <= c.opened_at + interval '7 days' LIMIT 1) IS NOT NULL) AS later) f
    CROSS JOIN LATERAL (VALUES
      (c.caused_by_department_id, 1, 0, 0, 0, 0, 0, 0, 0),
      (c.requester_department_id, 0, 1, 0, 0, 0, 0, 0, 0),
      (t.department_id, 0, 0, 1, f.later::int, f.internal::int, (f.internal AND c.resolved_at IS NOT NULL)::int,
        (f.internal AND c.resolution_due_at IS NOT NULL)::int, (f.internal AND c.resolved_at <= c.resolution_due_at)::int)
    ) AS v(dept, caused, made, handled, repeats, received, resolved, with_standard, within_standard)
    WHERE c.opened_at >= p_lo AND c.opened_at < p_hi AND v.dept IS NOT NULL
    UNION ALL
    SELECT (m.created_at AT TIME ZONE 'UTC')::date, m.department_id, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, NULL
    FROM commitments m WHERE m.kind = 'promise' AND m.created_at >= p_lo AND m.created_at < p_hi
    UNION ALL
    SELECT (m.kept_at AT TIME ZONE 'UTC')::date, m.department_id, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, NULL
    FROM commitments m WHERE m.kind = 'promise' AND m.status = 'kept' AND m.kept_at >= p_lo AND m.kept_at < p_hi
    UNION ALL
    SELECT (m.broken_at AT TIME ZONE 'UTC')::date, m.department_id, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, NULL
    FROM commitments m WHERE m.kind = 'promise' AND m.status = 'broken' AND m.broken_at >= p_lo AND m.broken_at < p_hi
    UNION ALL
    SELECT (r.opened_at AT TIME ZONE 'UTC')::date, r.caused_by_department_id, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, (r.status = 'recovered')::int,
      (r.fix_at IS NOT NULL)::int, extract(epoch FROM r.fix_at - r.opened_at) / 3600
    FROM recoveries r WHERE r.opened_at >= p_lo AND r.opened_at < p_hi
  ) x WHERE x.dept IS NOT NULL GROUP BY x.day, x.dept
$$;

-- Per staff member, for the service stars: kudos (by when), promises settled (by when kept or
-- broken), recoveries owned (by opening) recovered of settled, answers credited to them (by start).
CREATE FUNCTION staff_figures(p_lo timestamptz, p_hi timestamptz)
RETURNS TABLE (day date, staff_id bigint, kudos int, promises_kept int, promises_broken int, recoveries_recovered int, recoveries_settled int, promoters int, answers int)
LANGUAGE sql STABLE AS $$
  SELECT x.day, x.who, sum(x.kudos)::int, sum(x.kept)::int, sum(x.broken)::int, sum(x.recovered)::int, sum(x.settled)::int, sum(x.promoters)::int, sum(x.answers)::int
  FROM (
    SELECT (k.created_at AT TIME ZONE 'UTC')::date AS day, k.to_staff_id AS who, 1 AS kudos, 0 AS kept, 0 AS broken, 0 AS recovered, 0 AS settled, 0 AS promoters, 0 AS answers
    FROM kudos k WHERE k.created_at >= p_lo AND k.created_at < p_hi
    UNION ALL
    SELECT (coalesce(m.kept_at, m.broken_at) AT TIME ZONE 'UTC')::date, m.owner_id, 0, (m.status = 'kept')::int, (m.status = 'broken')::int, 0, 0, 0, 0
    FROM commitments m WHERE m.kind = 'promise' AND coalesce(m.kept_at, m.broken_at) >= p_lo AND coalesce(m.kept_at, m.broken_at) < p_hi
    UNION ALL
    SELECT (r.opened_at AT TIME ZONE 'UTC')::date, r.owner_id, 0, 0, 0, (r.status = 'recovered')::int, (r.status <> 'open')::int, 0, 0
    FROM recoveries r WHERE r.opened_at >= p_lo AND r.opened_at < p_hi
    UNION ALL
    SELECT (s.started_at AT TIME ZONE 'UTC')::date, s.agent_id, 0, 0, 0, 0, 0, (s.nps >= 9)::int, 1
    FROM survey_responses s WHERE s.nps IS NOT NULL AND s.started_at >= p_lo AND s.started_at < p_hi
  ) x WHERE x.who IS NOT NULL GROUP BY x.day, x.who
$$;

-- For the whole organisation, for the monthly review: NPS counts and answers to an invitation (by
-- start), invitations (by sending), and what happened to unhappy answers (a detractor, below
-- expectation or a complaint) and their recovery; promises kept and broken (by when they fell due).
CREATE FUNCTION survey_figures(p_lo timestamptz, p_hi timestamptz)
RETURNS TABLE (day date, promoters int, passives int, detractors int, invitations int, answered int,
  unhappy int, unhappy_with_recovery int, unhappy_fixed_within_24h int, unhappy_fixed_late int, unhappy_still_open int, unhappy_loyalty_recovered int, unhappy_outcome_recorded int,
  promises_kept int, promises_broken int)
LANGUAGE sql STABLE AS $$
  SELECT x.day, sum(x.promoters)::int, sum(x.passives)::int, sum(x.detractors)::int, sum(x.invitations)::int, sum(x.answered)::int,
    sum(x.unhappy)::int, sum(x.with_recovery)::int, sum(x.fixed)::int, sum(x.late)::int, sum(x.still_open)::int, sum(x.loyalty)::int, sum(x.outcome)::int,
    sum(x.kept)::int, sum(x.broken)::int
  FROM (
    SELECT (s.started_at AT TIME ZONE 'UTC')::date AS day, (s.nps >= 9)::int AS promoters, (s.nps BETWEEN 7 AND 8)::int AS passives, (s.nps <= 6)::int AS detractors,
      0 AS invitations, (s.invitation_id IS NOT NULL)::int AS answered, 0 AS unhappy, 0 AS with_recovery, 0 AS fixed, 0 AS late, 0 AS still_open, 0 AS loyalty, 0 AS outcome,
      0 AS kept, 0 AS broken
    FROM survey_responses s WHERE s.started_at >= p_lo AND s.started_at < p_hi
    UNION ALL
    SELECT (i.sent_at AT TIME ZONE 'UTC')::date, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    FROM survey_invitations i WHERE i.sent_at >= p_lo AND i.sent_at < p_hi
    UNION ALL
    SELECT (s.started_at AT TIME ZONE 'UTC')::date, 0, 0, 0, 0, 0, 1, (s.recovery_case_id IS NOT NULL)::int, coalesce((r.status = 'recovered')::int, 0),
      coalesce((r.status = 'late')::int, 0), coalesce((r.status = 'open')::int, 0), coalesce(r.loyalty_recovered::int, 0), (s.follow_up_outcome IS NOT NULL)::int, 0, 0
    FROM survey_responses s LEFT JOIN recoveries r ON r.case_id = s.recovery_case_id AND r.source = 'detractor'
    WHERE s.started_at >= p_lo AND s.started_at < p_hi AND (s.nps <= 6 OR s.expectation = 'below' OR s.complaint)
    UNION ALL
    SELECT (m.due_at AT TIME ZONE 'UTC')::date, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (m.status = 'kept')::int, (m.status = 'broken')::int
    FROM commitments m WHERE m.kind = 'promise' AND m.due_at >= p_lo AND m.due_at < p_hi
  ) x GROUP BY x.day
$$;

-- Recomputes whole UTC days [p_from, p_to) of every table from the raw rows.
CREATE FUNCTION refresh_daily_figures(p_from date, p_to date) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  lo timestamptz := p_from::timestamp AT TIME ZONE 'UTC';
  hi timestamptz := p_to::timestamp AT TIME ZONE 'UTC';
BEGIN
  DELETE FROM touchpoint_days WHERE day >= p_from AND day < p_to;
  INSERT INTO touchpoint_days SELECT * FROM touchpoint_figures(lo, hi);
  DELETE FROM department_days WHERE day >= p_from AND day < p_to;
  INSERT INTO department_days SELECT * FROM department_figures(lo, hi);
  DELETE FROM staff_days WHERE day >= p_from AND day < p_to;
  INSERT INTO staff_days SELECT * FROM staff_figures(lo, hi);
  DELETE FROM survey_days WHERE day >= p_from AND day < p_to;
  INSERT INTO survey_days SELECT * FROM survey_figures(lo, hi);
END $$;

-- Days before complete_before were recomputed after they ended: the pages trust only those, and
-- read later days from the raw rows. The daily-figures timer recomputes the day that just ended and
-- moves it on; the subscriber recomputes the trusted days an event changed (not today: pages read it raw).
CREATE TABLE daily_figures_state (
  id int PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  complete_before date NOT NULL
);

-- The figures of the data already here.
SELECT refresh_daily_figures('-infinity', 'infinity');
INSERT INTO daily_figures_state (complete_before) VALUES ((now() AT TIME ZONE 'UTC')::date);
