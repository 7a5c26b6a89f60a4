/**
 * The moments-of-truth map for a period: per touchpoint the volume, NPS and effort with their
 * 95 % intervals, complaints, repeat contacts, recoveries, promises kept, and an experience score
 * in which a bad experience weighs `w` times a good one (w = the organisation's
 * bad_experience_weight, default 7):
 *
 *   experience score = 100 × (promoters − w × detractors) / (promoters + passives + w × detractors)
 *
 * (with w = 1 it is the NPS). The weakest moment is the touchpoint with the lowest NPS, flagged
 * only when it is significantly worse than all other touchpoints' answers together: the 95 %
 * interval of the difference, d ± 1.96 × √(seₜ² + seᵣₑₛₜ²) with adjusted-Wald standard errors,
 * lies wholly below zero. Consistency: among customers with two or more answers in the period,
 * the share who gave both a promoter-level (9–10) and a detractor-level (0–6) answer within 30
 * days of each other; and the spread (standard deviation and range) of the touchpoints' NPS.
 */
import { sql } from 'kysely';
import type { Ctx } from '../core/context';
import { Invalid } from '../core/errors';
import { npsFromCounts, type NpsFigure } from '../surveys/nps';
import { listTouchpoints } from './service';
import { figuresOver } from '../daily-figures';

interface TouchpointFigures {
  touchpoint: string; promoters: number; passives: number; detractors: number; ces_n: number; ces_mean: number | null; ces_agree: number;
  volume: number; complaints: number; repeats: number; opened: number; within24h: number; kept: number; broken: number;
}

const Z = 1.96;
const DAY_MS = 86_400_000;

export interface Period { from: Date; to: Date }

export function periodOf(ctx: Ctx, from?: Date, to?: Date): Period {
  const end = to ?? ctx.clock.now();
  const start = from ?? new Date(end.getTime() - 30 * DAY_MS);
  if (start >= end) throw new Invalid('query.from', 'before_to', 'The period must start before it ends');
  return { from: start, to: end };
}

export function experienceScore(promoters: number, passives: number, detractors: number, weight: number): number | null {
  const denominator = promoters + passives + weight * detractors;
  return denominator ? (100 * (promoters - weight * detractors)) / denominator : null;
}

export function compareWithRest(t: NpsFigure, rest: NpsFigure) {
  if (t.nps === null || rest.nps === null || t.se === null || rest.se === null) return null;
  const difference = t.nps - rest.nps;
  const se = Math.sqrt(t.se ** 2 + rest.se ** 2);
  return { difference, low: difference - Z * se, high: difference + Z * se };
}

export async function badExperienceWeight(ctx: Ctx): Promise<number> {
  const row = await ctx.db.selectFrom('organisation').select('bad_experience_weight').executeTakeFirst();
  return row ? Number(row.bad_experience_weight) : 7;
}

const n = (v: unknown) => Number(v ?? 0);

/** A recovery belongs to its case's touchpoint, or (a recovery case opened by a survey answer) to the answer's. */
const RECOVERY_TOUCHPOINT = sql`coalesce(c.touchpoint, (SELECT s.touchpoint FROM survey_responses s WHERE r.source = 'detractor' AND r.source_ref = 'response:' || s.id))`;

export async function journeyMap(ctx: Ctx, period: Period) {
  const { from, to } = period;
  const [touchpoints, weight, figures, consistency] = await Promise.all([
    listTouchpoints(ctx),
    badExperienceWeight(ctx),
    // Answers, cases, recoveries and promises per touchpoint: the daily figures (see daily-figures).
    figuresOver<TouchpointFigures>(ctx, 'touchpoint', period, sql`sum(x.promoters)::int AS promoters, sum(x.passives)::int AS passives,
      sum(x.detractors)::int AS detractors, sum(x.ces_answers)::int AS ces_n, (sum(x.ces_sum)::numeric / nullif(sum(x.ces_answers), 0))::float8 AS ces_mean,
      sum(x.ces_agree)::int AS ces_agree, sum(x.cases)::int AS volume, sum(x.complaints)::int AS complaints, sum(x.repeats)::int AS repeats,
      sum(x.recoveries)::int AS opened, sum(x.recoveries_within_24h)::int AS within24h, sum(x.promises_kept)::int AS kept, sum(x.promises_broken)::int AS broken`, 'touchpoint'),
    sql<{ customers: number; mixed: number }>`
      WITH a AS (SELECT customer_id, nps, started_at FROM survey_responses WHERE customer_id IS NOT NULL AND nps IS NOT NULL AND started_at >= ${from} AND started_at < ${to}),
        several AS (SELECT customer_id FROM a GROUP BY customer_id HAVING count(*) >= 2)
      SELECT (SELECT count(*) FROM several)::int AS customers,
        (SELECT count(DISTINCT g.customer_id) FROM a g JOIN a b ON b.customer_id = g.customer_id
          WHERE g.nps >= 9 AND b.nps <= 6 AND abs(extract(epoch FROM g.started_at - b.started_at)) <= 30 * 86400)::int AS mixed`.execute(ctx.db),
  ]);
  const F = new Map(figures.map((f) => [f.touchpoint, f]));

  const rows = touchpoints.map((t) => {
    const f = F.get(t.key);
    const nps = npsFromCounts(n(f?.promoters), n(f?.passives), n(f?.detractors));
    const kept = n(f?.kept); const broken = n(f?.broken);
    return {
      ...t,
      volume: n(f?.volume),
      nps,
      experienceScore: experienceScore(nps.promoters, nps.passives, nps.detractors, weight),
      effort: { answers: n(f?.ces_n), mean: f?.ces_mean ?? null, agreeShare: n(f?.ces_n) ? n(f?.ces_agree) / n(f?.ces_n) : null },
      complaints: n(f?.complaints),
      repeatContacts: n(f?.repeats),
      recoveries: { opened: n(f?.opened), within24h: n(f?.within24h) },
      promises: { kept, broken, keptRate: kept + broken ? kept / (kept + broken) : null },
    };
  });

  const scored = rows.filter((r) => r.nps.nps !== null);
  let weakest = null;
  if (scored.length >= 2) {
    const worst = scored.reduce((a, b) => (b.nps.nps! < a.nps.nps! ? b : a));
    const rest = scored.filter((r) => r !== worst);
    const restNps = npsFromCounts(rest.reduce((s, r) => s + r.nps.promoters, 0), rest.reduce((s, r) => s + r.nps.passives, 0), rest.reduce((s, r) => s + r.nps.detractors, 0));
    const diff = compareWithRest(worst.nps, restNps)!;
    weakest = {
      touchpointId: worst.id, key: worst.key, name: worst.name, nps: worst.nps, restNps: restNps.nps,
      difference: diff.difference, low: diff.low, high: diff.high, significant: diff.high < 0,
      test: 'NPS of this touchpoint minus NPS of all other touchpoints, 95 % interval (adjusted Wald): flagged when the interval lies below zero',
    };
  }
  const values = scored.map((r) => r.nps.nps!);
  const mean = values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
  const c = consistency.rows[0]!;
  return {
    from, to, badExperienceWeight: weight,
    touchpoints: rows,
    weakest,
    consistency: {
      customersWithSeveralAnswers: c.customers,
      customersWithPromoterAndDetractorWithin30Days: c.mixed,
      mixedShare: c.customers ? c.mixed / c.customers : null,
      npsSpread: mean === null ? null : Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length),
      npsRange: values.length ? Math.max(...values) - Math.min(...values) : null,
    },
  };
}

export type JourneyMap = Awaited<ReturnType<typeof journeyMap>>;

export const BEHIND = ['answers', 'promoters', 'detractors', 'cases', 'complaints', 'repeats', 'recoveries', 'broken_promises', 'mixed_experience'] as const;
export type Behind = (typeof BEHIND)[number];

/** The customers and cases behind one figure of the map, so every number is one click from its people. */
export async function behindFigure(ctx: Ctx, period: Period, figure: Behind, touchpoint: string | undefined, limit = 200) {
  const { from, to } = period;
  const tp = touchpoint ?? null;
  const q = {
    answers: sql`SELECT r.customer_id, r.case_id, r.started_at AS at, r.nps AS score FROM survey_responses r WHERE r.nps IS NOT NULL`,
    promoters: sql`SELECT r.customer_id, r.case_id, r.started_at AS at, r.nps AS score FROM survey_responses r WHERE r.nps >= 9`,
    detractors: sql`SELECT r.customer_id, r.case_id, r.started_at AS at, r.nps AS score FROM survey_responses r WHERE r.nps <= 6`,
    cases: sql`SELECT c.customer_id, c.id AS case_id, c.opened_at AS at, NULL::int AS score FROM cases c WHERE true`,
    complaints: sql`SELECT c.customer_id, c.id AS case_id, c.opened_at AS at, NULL::int AS score FROM cases c WHERE (c.type = 'complaint' OR 'complaint' = ANY (c.tags))`,
    repeats: sql`SELECT c.customer_id, c.id AS case_id, c.opened_at AS at, NULL::int AS score FROM cases c WHERE EXISTS (SELECT 1 FROM cases p WHERE p.customer_id = c.customer_id
      AND p.type = c.type AND p.id <> c.id AND p.opened_at < c.opened_at AND p.opened_at >= c.opened_at - interval '7 days')`,
    recoveries: sql`SELECT r.customer_id, r.case_id, r.opened_at AS at, NULL::int AS score, ${RECOVERY_TOUCHPOINT} AS tp FROM recoveries r JOIN cases c ON c.id = r.case_id WHERE true`,
    broken_promises: sql`SELECT m.customer_id, m.case_id, m.due_at AS at, NULL::int AS score FROM commitments m JOIN cases c ON c.id = m.case_id WHERE m.status = 'broken'`,
    mixed_experience: sql`SELECT g.customer_id, g.case_id, g.started_at AS at, g.nps AS score FROM survey_responses g WHERE g.nps IS NOT NULL AND EXISTS (
      SELECT 1 FROM survey_responses h WHERE h.customer_id = g.customer_id AND h.nps IS NOT NULL AND h.started_at >= ${from} AND h.started_at < ${to}
      AND ((g.nps >= 9 AND h.nps <= 6) OR (g.nps <= 6 AND h.nps >= 9)) AND abs(extract(epoch FROM g.started_at - h.started_at)) <= 30 * 86400)`,
  }[figure];
  const tpColumn = figure === 'recoveries' ? RECOVERY_TOUCHPOINT : figure === 'mixed_experience' ? sql`g.touchpoint`
    : ['answers', 'promoters', 'detractors'].includes(figure) ? sql`r.touchpoint` : sql`c.touchpoint`;
  const rows = await sql<{ customer_id: number; case_id: number | null; at: Date; score: number | null; name: string }>`
    SELECT x.customer_id::int, x.case_id::int, x.at, x.score, cu.name FROM (${q} AND (${tp}::text IS NULL OR ${tpColumn} = ${tp})) x
    JOIN customers cu ON cu.id = x.customer_id WHERE x.at >= ${from} AND x.at < ${to} ORDER BY x.at DESC LIMIT ${limit}`.execute(ctx.db);
  return { figure, touchpoint: tp, items: rows.rows.map((r) => ({ customerId: r.customer_id, customerName: r.name, caseId: r.case_id, at: r.at, score: r.score })) };
}
