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
import { figuresOver } from '../daily-figures';

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
  const dept = only === null ? sql`true` : sql`d.id = ${only}`;
  // Cases, promises and recoveries per department, and everyone's answers: the daily figures (see
  // daily-figures). The NPS of the customers its failures touched pairs customers with answers, so it
  // is read from the period's rows: the cases it caused and the answers of those customers only.
  const [departments, figures, everyone] = await Promise.all([
    sql<{ id: number; name: string; serves_external_customers: boolean; tp: number; tpa: number; td: number }>`
      -- Department by department, so the index on (caused_by_department_id, opened_at) reads only the period's caused cases.
      WITH touched AS (SELECT d.id, c.customer_id FROM departments d CROSS JOIN LATERAL (SELECT customer_id FROM cases
          WHERE caused_by_department_id = d.id AND opened_at >= ${from} AND opened_at < ${to}) c
        UNION SELECT caused_by_department_id, customer_id FROM recoveries WHERE caused_by_department_id IS NOT NULL AND opened_at >= ${from} AND opened_at < ${to}),
      l AS (SELECT t.id, count(*) FILTER (WHERE s.nps >= 9)::int AS tp, count(*) FILTER (WHERE s.nps BETWEEN 7 AND 8)::int AS tpa, count(*) FILTER (WHERE s.nps <= 6)::int AS td
        FROM touched t JOIN survey_responses s ON s.customer_id = t.customer_id AND s.nps IS NOT NULL AND s.started_at >= ${from} AND s.started_at < ${to} GROUP BY t.id)
      SELECT d.id::int, d.name, d.serves_external_customers, coalesce(l.tp, 0) AS tp, coalesce(l.tpa, 0) AS tpa, coalesce(l.td, 0) AS td
      FROM departments d LEFT JOIN l ON l.id = d.id WHERE ${dept} ORDER BY d.name`.execute(ctx.db),
    figuresOver<Record<string, unknown> & { department_id: string }>(ctx, 'department', period, sql`sum(x.cases_caused)::int AS cases_caused, sum(x.internal_made)::int AS internal_made,
      sum(x.handled)::int AS handled, sum(x.repeats)::int AS repeats, sum(x.internal_received)::int AS internal_received, sum(x.internal_resolved)::int AS internal_resolved,
      sum(x.internal_with_standard)::int AS internal_with_standard, sum(x.internal_within_standard)::int AS internal_within_standard,
      sum(x.promises_made)::int AS promises_made, sum(x.promises_kept)::int AS promises_kept, sum(x.promises_broken)::int AS promises_broken,
      sum(x.recoveries)::int AS recoveries_caused, sum(x.recoveries_within_24h)::int AS recoveries_within_24h,
      (sum(x.recovery_hours) / nullif(sum(x.recovery_fixes), 0))::float8 AS recovery_mean_hours`, 'department_id'),
    figuresOver<{ p: number; pa: number; d: number }>(ctx, 'survey', period, sql`coalesce(sum(x.promoters), 0)::int AS p, coalesce(sum(x.passives), 0)::int AS pa, coalesce(sum(x.detractors), 0)::int AS d`),
  ]);
  const byDepartment = new Map(figures.map((f) => [Number(f.department_id), f]));
  const e = everyone[0] ?? { p: 0, pa: 0, d: 0 };
  const rows = { rows: departments.rows.map((d): Record<string, unknown> & typeof d => ({ ...(byDepartment.get(d.id) ?? {}), ...d, op: e.p - d.tp, opa: e.pa - d.tpa, od: e.d - d.td })) };
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
