/**
 * Customer service is everyone's job: every department, including those with no external
 * customers, has a balanced scorecard for a period —
 *   cases it caused (cases.caused_by_department_id, opened in the period);
 *   promises its people made (created in the period) and kept / broken (settled in the period);
 *   recoveries it caused, the share fixed within 24 h and the mean hours to the fix;
 *   the NPS (adjusted-Wald 95 % interval) of customers its failures touched — a case or recovery
 *   it caused, opened in the period — against every other customer's answers in the period;
 *   first-contact resolution of the cases its teams handled: a case fails it when the same
 *   customer opens another case of the same type within 7 days after it (a repeat contact);
 *   internal requests (cases whose requester is a department) its teams received, and how many
 *   met their resolution standard (the standard set for their type, "internal_request" by default).
 * A department head (anyone whose department it is) sees their own; executives and admins see
 * every department side by side. Nobody else opens another department's scorecard.
 */
import { sql } from 'kysely';
import type { Ctx } from '../core/context';
import { Forbidden, NotFound } from '../core/errors';
import { staffActor } from '../core/access';
import { npsFromCounts } from '../surveys/nps';

interface Period { from: Date; to: Date }
const n = (v: unknown) => Number(v ?? 0);

/** The department an actor belongs to: their own, else their team's. */
export async function departmentOf(ctx: Ctx): Promise<number | null> {
  const me = staffActor(ctx);
  if (me.departmentId) return me.departmentId;
  if (!me.teamId) return null;
  const t = await ctx.db.selectFrom('teams').select('department_id').where('id', '=', me.teamId).executeTakeFirst();
  return t?.department_id ?? null;
}

const seesAll = (ctx: Ctx) => ['admin', 'executive'].includes(staffActor(ctx).role);

async function computeScorecards(ctx: Ctx, period: Period, only: number | null) {
  const { from, to } = period;
  // Set-based: every aggregate is computed once for all departments (a handful of scans of the
  // period's rows), then joined to the departments, rather than once per department.
  const dept = only === null ? sql`true` : sql`d.id = ${only}`;
  const rows = await sql<Record<string, unknown> & { id: number; name: string; serves_external_customers: boolean }>`
    WITH span AS (
      -- The period's cases and the 7 days after it: a case is a repeat contact's first contact when the same
      -- customer opens another case of the same type within (opened_at, opened_at + 7 days].
      SELECT c.customer_id, c.type, c.team_id, c.caused_by_department_id, c.requester_department_id, c.opened_at, c.resolved_at, c.resolution_due_at,
        count(*) OVER (PARTITION BY c.customer_id, c.type ORDER BY c.opened_at RANGE BETWEEN CURRENT ROW AND interval '7 days' FOLLOWING EXCLUDE GROUP) AS later
      FROM cases c WHERE c.opened_at >= ${from} AND c.opened_at < ${to}::timestamptz + interval '7 days'),
    period_cases AS (SELECT * FROM span WHERE opened_at < ${to}),
    caused AS (SELECT caused_by_department_id AS id, count(*)::int AS cases_caused FROM period_cases WHERE caused_by_department_id IS NOT NULL GROUP BY 1),
    made AS (SELECT requester_department_id AS id, count(*)::int AS internal_made FROM period_cases WHERE requester_department_id IS NOT NULL GROUP BY 1),
    h AS (SELECT t.department_id AS id, count(*)::int AS handled, count(*) FILTER (WHERE c.later > 0)::int AS repeats,
        count(*) FILTER (WHERE c.requester_department_id IS NOT NULL)::int AS internal_received,
        count(*) FILTER (WHERE c.requester_department_id IS NOT NULL AND c.resolved_at IS NOT NULL)::int AS internal_resolved,
        count(*) FILTER (WHERE c.requester_department_id IS NOT NULL AND c.resolution_due_at IS NOT NULL)::int AS internal_with_standard,
        count(*) FILTER (WHERE c.requester_department_id IS NOT NULL AND c.resolved_at <= c.resolution_due_at)::int AS internal_within_standard
      FROM period_cases c JOIN teams t ON t.id = c.team_id WHERE t.department_id IS NOT NULL GROUP BY 1),
    p AS (SELECT department_id AS id,
        count(*) FILTER (WHERE created_at >= ${from} AND created_at < ${to})::int AS promises_made,
        count(*) FILTER (WHERE status = 'kept' AND kept_at >= ${from} AND kept_at < ${to})::int AS promises_kept,
        count(*) FILTER (WHERE status = 'broken' AND broken_at >= ${from} AND broken_at < ${to})::int AS promises_broken
      FROM commitments WHERE kind = 'promise' AND department_id IS NOT NULL
        AND ((created_at >= ${from} AND created_at < ${to}) OR (kept_at >= ${from} AND kept_at < ${to}) OR (broken_at >= ${from} AND broken_at < ${to})) GROUP BY 1),
    r AS (SELECT caused_by_department_id AS id, count(*)::int AS opened, count(*) FILTER (WHERE status = 'recovered')::int AS within24h,
        avg(extract(epoch FROM fix_at - opened_at) / 3600)::float8 AS mean_hours
      FROM recoveries WHERE caused_by_department_id IS NOT NULL AND opened_at >= ${from} AND opened_at < ${to} GROUP BY 1),
    touched AS (SELECT caused_by_department_id AS id, customer_id FROM period_cases WHERE caused_by_department_id IS NOT NULL
      UNION SELECT caused_by_department_id, customer_id FROM recoveries WHERE caused_by_department_id IS NOT NULL AND opened_at >= ${from} AND opened_at < ${to}),
    answers AS (SELECT customer_id, nps FROM survey_responses WHERE nps IS NOT NULL AND started_at >= ${from} AND started_at < ${to}),
    everyone AS (SELECT count(*) FILTER (WHERE nps >= 9)::int AS p, count(*) FILTER (WHERE nps BETWEEN 7 AND 8)::int AS pa, count(*) FILTER (WHERE nps <= 6)::int AS d FROM answers),
    l AS (SELECT t.id, count(*) FILTER (WHERE s.nps >= 9)::int AS tp, count(*) FILTER (WHERE s.nps BETWEEN 7 AND 8)::int AS tpa, count(*) FILTER (WHERE s.nps <= 6)::int AS td
      FROM answers s JOIN touched t ON t.customer_id = s.customer_id GROUP BY t.id)
    SELECT d.id::int, d.name, d.serves_external_customers,
      coalesce(caused.cases_caused, 0) AS cases_caused, coalesce(p.promises_made, 0) AS promises_made, coalesce(p.promises_kept, 0) AS promises_kept,
      coalesce(p.promises_broken, 0) AS promises_broken,
      coalesce(r.opened, 0) AS recoveries_caused, coalesce(r.within24h, 0) AS recoveries_within_24h, r.mean_hours AS recovery_mean_hours,
      coalesce(h.handled, 0) AS handled, coalesce(h.repeats, 0) AS repeats, coalesce(h.internal_received, 0) AS internal_received,
      coalesce(h.internal_resolved, 0) AS internal_resolved, coalesce(h.internal_within_standard, 0) AS internal_within_standard,
      coalesce(h.internal_with_standard, 0) AS internal_with_standard, coalesce(made.internal_made, 0) AS internal_made,
      coalesce(l.tp, 0) AS tp, coalesce(l.tpa, 0) AS tpa, coalesce(l.td, 0) AS td,
      e.p - coalesce(l.tp, 0) AS op, e.pa - coalesce(l.tpa, 0) AS opa, e.d - coalesce(l.td, 0) AS od
    FROM departments d CROSS JOIN everyone e
    LEFT JOIN caused ON caused.id = d.id LEFT JOIN made ON made.id = d.id LEFT JOIN h ON h.id = d.id LEFT JOIN p ON p.id = d.id
    LEFT JOIN r ON r.id = d.id LEFT JOIN l ON l.id = d.id
    WHERE ${dept} ORDER BY d.name`.execute(ctx.db);
  return rows.rows.map((r) => {
    const kept = n(r.promises_kept); const broken = n(r.promises_broken); const handled = n(r.handled); const opened = n(r.recoveries_caused);
    return {
      departmentId: r.id, name: r.name, servesExternalCustomers: r.serves_external_customers,
      casesCaused: n(r.cases_caused),
      promises: { made: n(r.promises_made), kept, broken, keptRate: kept + broken ? kept / (kept + broken) : null },
      recoveries: { caused: opened, fixedWithin24h: n(r.recoveries_within_24h), shareWithin24h: opened ? n(r.recoveries_within_24h) / opened : null, meanHoursToFix: (r.recovery_mean_hours as number | null) ?? null },
      loyalty: { touchedByFailures: npsFromCounts(n(r.tp), n(r.tpa), n(r.td)), others: npsFromCounts(n(r.op), n(r.opa), n(r.od)) },
      firstContact: { handled, repeatContacts: n(r.repeats), resolutionRate: handled ? (handled - n(r.repeats)) / handled : null },
      internalRequests: {
        received: n(r.internal_received), resolved: n(r.internal_resolved), withStandard: n(r.internal_with_standard), withinStandard: n(r.internal_within_standard),
        standardMetRate: n(r.internal_with_standard) ? n(r.internal_within_standard) / n(r.internal_with_standard) : null, made: n(r.internal_made),
      },
    };
  });
}

export type Scorecard = Awaited<ReturnType<typeof computeScorecards>>[number];

/** Executives and admins: every department side by side; everyone else: their own department. */
export async function listScorecards(ctx: Ctx, period: Period) {
  if (seesAll(ctx)) return { scope: 'all' as const, items: await computeScorecards(ctx, period, null) };
  const own = await departmentOf(ctx);
  return { scope: 'own' as const, items: own ? await computeScorecards(ctx, period, own) : [] };
}

export async function getScorecard(ctx: Ctx, departmentId: number, period: Period) {
  if (!seesAll(ctx) && (await departmentOf(ctx)) !== departmentId) {
    throw new Forbidden("A department's scorecard is for its own people, executives and admins");
  }
  const [card] = await computeScorecards(ctx, period, departmentId);
  if (!card) throw new NotFound('Department', departmentId);
  return card;
}

/** For the monthly review: every department (the caller has figures:read). */
export const allScorecards = (ctx: Ctx, period: Period) => computeScorecards(ctx, period, null);
