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
  const dept = only === null ? sql`true` : sql`d.id = ${only}`;
  const rows = await sql<Record<string, unknown> & { id: number; name: string; serves_external_customers: boolean }>`
    SELECT d.id::int, d.name, d.serves_external_customers,
      (SELECT count(*) FROM cases c WHERE c.caused_by_department_id = d.id AND c.opened_at >= ${from} AND c.opened_at < ${to})::int AS cases_caused,
      (SELECT count(*) FROM commitments m WHERE m.kind = 'promise' AND m.department_id = d.id AND m.created_at >= ${from} AND m.created_at < ${to})::int AS promises_made,
      (SELECT count(*) FROM commitments m WHERE m.kind = 'promise' AND m.department_id = d.id AND m.status = 'kept' AND m.kept_at >= ${from} AND m.kept_at < ${to})::int AS promises_kept,
      (SELECT count(*) FROM commitments m WHERE m.kind = 'promise' AND m.department_id = d.id AND m.status = 'broken' AND m.broken_at >= ${from} AND m.broken_at < ${to})::int AS promises_broken,
      r.opened AS recoveries_caused, r.within24h AS recoveries_within_24h, r.mean_hours AS recovery_mean_hours,
      h.handled, h.repeats, h.internal_received, h.internal_resolved, h.internal_within_standard, h.internal_with_standard,
      (SELECT count(*) FROM cases c WHERE c.requester_department_id = d.id AND c.opened_at >= ${from} AND c.opened_at < ${to})::int AS internal_made,
      l.tp, l.tpa, l.td, l.op, l.opa, l.od
    FROM departments d
    CROSS JOIN LATERAL (SELECT count(*)::int AS opened, count(*) FILTER (WHERE status = 'recovered')::int AS within24h,
        avg(extract(epoch FROM fix_at - opened_at) / 3600)::float8 AS mean_hours
      FROM recoveries WHERE caused_by_department_id = d.id AND opened_at >= ${from} AND opened_at < ${to}) r
    CROSS JOIN LATERAL (SELECT count(*)::int AS handled,
        count(*) FILTER (WHERE EXISTS (SELECT 1 FROM cases n2 WHERE n2.customer_id = c.customer_id AND n2.type = c.type AND n2.id <> c.id
          AND n2.opened_at > c.opened_at AND n2.opened_at <= c.opened_at + interval '7 days'))::int AS repeats,
        count(*) FILTER (WHERE c.requester_department_id IS NOT NULL)::int AS internal_received,
        count(*) FILTER (WHERE c.requester_department_id IS NOT NULL AND c.resolved_at IS NOT NULL)::int AS internal_resolved,
        count(*) FILTER (WHERE c.requester_department_id IS NOT NULL AND c.resolution_due_at IS NOT NULL)::int AS internal_with_standard,
        count(*) FILTER (WHERE c.requester_department_id IS NOT NULL AND c.resolved_at <= c.resolution_due_at)::int AS internal_within_standard
      FROM cases c JOIN teams t ON t.id = c.team_id WHERE t.department_id = d.id AND c.opened_at >= ${from} AND c.opened_at < ${to}) h
    CROSS JOIN LATERAL (
      WITH touched AS (SELECT customer_id FROM cases WHERE caused_by_department_id = d.id AND opened_at >= ${from} AND opened_at < ${to}
                       UNION SELECT customer_id FROM recoveries WHERE caused_by_department_id = d.id AND opened_at >= ${from} AND opened_at < ${to})
      SELECT count(*) FILTER (WHERE t.customer_id IS NOT NULL AND s.nps >= 9)::int AS tp, count(*) FILTER (WHERE t.customer_id IS NOT NULL AND s.nps BETWEEN 7 AND 8)::int AS tpa,
        count(*) FILTER (WHERE t.customer_id IS NOT NULL AND s.nps <= 6)::int AS td, count(*) FILTER (WHERE t.customer_id IS NULL AND s.nps >= 9)::int AS op,
        count(*) FILTER (WHERE t.customer_id IS NULL AND s.nps BETWEEN 7 AND 8)::int AS opa, count(*) FILTER (WHERE t.customer_id IS NULL AND s.nps <= 6)::int AS od
      FROM survey_responses s LEFT JOIN touched t ON t.customer_id = s.customer_id
      WHERE s.nps IS NOT NULL AND s.started_at >= ${from} AND s.started_at < ${to}) l
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
