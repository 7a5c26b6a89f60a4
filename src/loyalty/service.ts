/**
 * Loyalty as customers show it, next to loyalty as they state it: what they did (purchases,
 * visits, renewals, cancellations), retention and repeat rate per period, how each answer
 * relates to what the customer did afterwards, which experiences drive the outcome (Johnson's
 * relative weights), and which groups differ beyond chance (Holm-corrected).
 */
import { sql } from 'kysely';
import type { Ctx } from '../core/context';
import { inTransaction } from '../core/context';
import { roomForBigSorts } from '../core/db/memory';
import { Invalid, NotFound } from '../core/errors';
import { DAY } from '../core/clock';
import { publish } from '../events';
import { getSurvey } from '../surveys/service';
import { keyOf, scaleOf } from '../surveys/questions';
import { npsFromCounts } from '../surveys/nps';
import { bootstrapWeights, holm, moments, normalCdf, pearson, relativeWeights } from './stats';
import type { ActivityKind } from './schema';

export interface ActivityInput { customerId: number; kind: ActivityKind; amount?: number | null; occurredAt: Date; ref?: string | null }

/** One thing a customer did. Sending the same `ref` again changes nothing (and answers the first). */
export async function recordActivity(ctx: Ctx, input: ActivityInput) {
  return inTransaction(ctx, async (tx) => {
    const customer = await tx.db.selectFrom('customers').select(['id', 'merged_into_id']).where('id', '=', input.customerId).executeTakeFirst();
    if (!customer) throw new NotFound('Customer', input.customerId);
    const customerId = customer.merged_into_id ?? customer.id;
    const row = await tx.db.insertInto('customer_activities').values({
      customer_id: customerId, kind: input.kind, amount: input.amount ?? null, occurred_at: input.occurredAt, external_ref: input.ref ?? null,
    }).onConflict((oc) => oc.column('external_ref').doNothing()).returning(activityColumns).executeTakeFirst();
    if (!row) {
      return { ...(await tx.db.selectFrom('customer_activities').select(activityColumns).where('external_ref', '=', input.ref!).executeTakeFirstOrThrow()), duplicate: true };
    }
    await publish(tx, 'customer.activity', { caseId: null, customerId }, { activityId: row.id, customerId, kind: row.kind, amount: row.amount === null ? null : Number(row.amount), occurredAt: row.occurredAt });
    return { ...row, duplicate: false };
  });
}

const activityColumns = ['id', 'customer_id as customerId', 'kind', 'amount', 'occurred_at as occurredAt', 'external_ref as ref'] as const;

export async function listActivities(ctx: Ctx, customerId: number, limit = 100) {
  const rows = await ctx.db.selectFrom('customer_activities').select(activityColumns).where('customer_id', '=', customerId).orderBy('occurred_at', 'desc').limit(limit).execute();
  return rows.map((r) => ({ ...r, amount: r.amount === null ? null : Number(r.amount) }));
}

/**
 * Retention and repeat rate per month. Active = did anything that month. Retention of month m =
 * share of the customers active in m−1 who are active in m and did not cancel in m. Repeat rate =
 * share of the month's purchasers who had bought before.
 */
export async function behaviourFigures(ctx: Ctx, f: { from?: Date; to?: Date }) {
  const from = f.from ?? new Date(ctx.clock.now().getTime() - 365 * DAY);
  const to = f.to ?? ctx.clock.now();
  const rows = await sql<{ month: string; active: number; retained: number; previous: number; purchasers: number; repeaters: number; cancellations: number; revenue: string | null }>`
    WITH months AS (
      SELECT generate_series(date_trunc('month', ${from}::timestamptz), date_trunc('month', ${to}::timestamptz), interval '1 month') AS m
    ), active AS (
      SELECT DISTINCT date_trunc('month', occurred_at) AS m, customer_id FROM customer_activities WHERE kind <> 'cancellation'
    ), cancelled AS (
      SELECT DISTINCT date_trunc('month', occurred_at) AS m, customer_id FROM customer_activities WHERE kind = 'cancellation'
    ), purchases AS (
      SELECT date_trunc('month', occurred_at) AS m, customer_id, min(occurred_at) AS first_in_month FROM customer_activities WHERE kind IN ('purchase', 'renewal') GROUP BY 1, 2
    )
    SELECT to_char(months.m, 'YYYY-MM') AS month,
      (SELECT count(*) FROM active a WHERE a.m = months.m)::int AS active,
      (SELECT count(*) FROM active p WHERE p.m = months.m - interval '1 month') ::int AS previous,
      (SELECT count(*) FROM active p JOIN active a ON a.customer_id = p.customer_id AND a.m = months.m
        WHERE p.m = months.m - interval '1 month' AND NOT EXISTS (SELECT 1 FROM cancelled c WHERE c.m = months.m AND c.customer_id = p.customer_id))::int AS retained,
      (SELECT count(*) FROM purchases pu WHERE pu.m = months.m)::int AS purchasers,
      (SELECT count(*) FROM purchases pu WHERE pu.m = months.m AND EXISTS (
        SELECT 1 FROM customer_activities e WHERE e.customer_id = pu.customer_id AND e.kind IN ('purchase', 'renewal') AND e.occurred_at < pu.m))::int AS repeaters,
      (SELECT count(*) FROM cancelled c WHERE c.m = months.m)::int AS cancellations,
      (SELECT sum(amount) FROM customer_activities e WHERE date_trunc('month', e.occurred_at) = months.m AND e.kind IN ('purchase', 'renewal'))::text AS revenue
    FROM months ORDER BY months.m`.execute(ctx.db);
  const nps = await sql<{ month: string; promoters: number; passives: number; detractors: number }>`
    SELECT to_char(date_trunc('month', started_at), 'YYYY-MM') AS month, count(*) FILTER (WHERE nps >= 9)::int AS promoters,
      count(*) FILTER (WHERE nps BETWEEN 7 AND 8)::int AS passives, count(*) FILTER (WHERE nps <= 6)::int AS detractors
    FROM survey_responses WHERE started_at >= date_trunc('month', ${from}::timestamptz) AND started_at <= ${to} AND nps IS NOT NULL GROUP BY 1`.execute(ctx.db);
  const npsBy = new Map(nps.rows.map((r) => [r.month, npsFromCounts(r.promoters, r.passives, r.detractors)]));
  return {
    periods: rows.rows.map((r) => ({
      period: r.month, activeCustomers: r.active, retention: r.previous ? r.retained / r.previous : null, retainedOf: [r.retained, r.previous] as [number, number],
      repeatRate: r.purchasers ? r.repeaters / r.purchasers : null, purchasers: r.purchasers, cancellations: r.cancellations,
      revenue: r.revenue === null ? 0 : Number(r.revenue), nps: npsBy.get(r.month) ?? npsFromCounts(0, 0, 0),
    })),
  };
}

/** Numeric answers of a survey's questions (expectation as −1/0/1), by key. */
function numericQuestions(questions: Awaited<ReturnType<typeof getSurvey>>['questions']) {
  const keys: { key: string; kind: string; column?: 'nps' | 'ces' | 'csat' | 'stay'; read: (a: Record<string, unknown>) => number | null }[] = [];
  for (const q of questions) {
    const key = keyOf(q);
    // NPS, effort, CSAT and stay on their standard scale also have a column of their own (see standardColumns).
    const column = (q.kind === 'nps' || q.kind === 'ces' || q.kind === 'csat' || q.kind === 'stay') && key === q.kind && !q.scale ? q.kind : undefined;
    if (scaleOf(q)) keys.push({ key, kind: q.kind, column, read: (a) => (typeof a[key] === 'number' ? a[key] as number : null) });
    else if (q.kind === 'expectation') keys.push({ key, kind: q.kind, read: (a) => ({ below: -1, met: 0, above: 1 } as Record<string, number>)[a[key] as string] ?? null });
  }
  return keys;
}

/**
 * For each answered question: its correlation with what the customer did in the `days` after
 * answering (number of purchases, renewals and visits; spend), over answers from known customers.
 */
export async function answersAndBehaviour(ctx: Ctx, surveyId: number, days = 90) {
  const survey = await getSurvey(ctx, surveyId);
  const keys = numericQuestions(survey.questions);
  const rows = await sql<{ answers: Record<string, unknown>; visits: number; spend: string | null; cancelled: boolean }>`
    SELECT r.answers,
      (SELECT count(*) FROM customer_activities a WHERE a.customer_id = r.customer_id AND a.kind IN ('purchase', 'visit', 'renewal') AND a.occurred_at > r.started_at AND a.occurred_at <= r.started_at + make_interval(days => ${days}))::int AS visits,
      (SELECT coalesce(sum(amount), 0) FROM customer_activities a WHERE a.customer_id = r.customer_id AND a.kind IN ('purchase', 'renewal') AND a.occurred_at > r.started_at AND a.occurred_at <= r.started_at + make_interval(days => ${days}))::text AS spend,
      EXISTS (SELECT 1 FROM customer_activities a WHERE a.customer_id = r.customer_id AND a.kind = 'cancellation' AND a.occurred_at > r.started_at AND a.occurred_at <= r.started_at + make_interval(days => ${days})) AS cancelled
    FROM survey_responses r WHERE r.survey_id = ${surveyId} AND r.customer_id IS NOT NULL AND r.started_at + make_interval(days => ${days}) <= ${ctx.clock.now()}`.execute(ctx.db);
  return {
    surveyId, days, answers: rows.rows.length,
    questions: keys.map(({ key, read }) => {
      const pairs = rows.rows.map((r) => [read(r.answers), r.visits, Number(r.spend), r.cancelled ? 1 : 0] as const).filter((p) => p[0] !== null) as (readonly [number, number, number, number])[];
      const x = pairs.map((p) => p[0]);
      return {
        question: key, n: pairs.length,
        laterVisits: corrWithInterval(x, pairs.map((p) => p[1])),
        laterSpend: corrWithInterval(x, pairs.map((p) => p[2])),
        laterCancellation: corrWithInterval(x, pairs.map((p) => p[3])),
      };
    }),
  };
}

/** Pearson's r with its 95 % interval (Fisher's z). */
function corrWithInterval(x: number[], y: number[]) {
  const r = pearson(x, y);
  if (r === null || x.length < 4) return { r, ci95: null };
  const z = Math.atanh(Math.max(-0.999999, Math.min(0.999999, r)));
  const se = 1 / Math.sqrt(x.length - 3);
  return { r, ci95: [Math.tanh(z - 1.96 * se), Math.tanh(z + 1.96 * se)] as [number, number] };
}

export const CASE_FACTS = ['handovers', 'broken_promise', 'missed_standard', 'recovery'] as const;

/**
 * Driver analysis: Johnson's relative weights of every other numeric answer (and, with caseFacts,
 * of what happened on the case the answer is about) on the outcome, over complete rows, with
 * seeded percentile-bootstrap intervals. Predictors that never vary are left out and named.
 */
export async function drivers(ctx: Ctx, input: { surveyId: number; outcome?: string; caseFacts?: boolean; resamples?: number; seed?: number; from?: Date; to?: Date }) {
  const survey = await getSurvey(ctx, input.surveyId);
  const keys = numericQuestions(survey.questions);
  const outcome = input.outcome ?? 'nps';
  const out = keys.find((k) => k.key === outcome);
  if (!out) throw new Invalid('query.outcome', 'question', `The survey has no numeric question "${outcome}"; it has ${keys.map((k) => k.key).join(', ') || 'none'}`);
  const predictors = keys.filter((k) => k.key !== outcome);
  // Answers are small integers: PostgreSQL groups a million answers into their distinct patterns,
  // and the weights are computed from the patterns and their counts (exactly the same sums). The
  // answers' raw values are grouped (one look-up of each key per answer) and made numbers once per
  // pattern: converting every answer first took four times as long (8.2 s against 2.0 s at 1,000,000).
  type Key = { key: string; kind: string; column?: string };
  const raw = (k: Key) => (k.column ? sql`${sql.ref(`r.${k.column}`)}` : sql`r.answers -> ${k.key}`);
  const numeric = (k: Key, v: ReturnType<typeof sql.raw>) => (k.column ? sql<number>`${v}::float8`
    : k.kind === 'expectation' ? sql<number>`CASE ${v} #>> '{}' WHEN 'below' THEN -1 WHEN 'met' THEN 0 WHEN 'above' THEN 1 END`
      : sql<number>`CASE WHEN jsonb_typeof(${v}) = 'number' THEN ${v}::float8 END`);
  const facts = input.caseFacts ? [
    sql<number>`(SELECT count(*) FROM handovers h WHERE h.case_id = r.case_id AND h.status = 'accepted')::float8`,
    sql<number>`(EXISTS (SELECT 1 FROM case_entries e WHERE e.case_id = r.case_id AND e.kind = 'commitment_broken'))::int::float8`,
    sql<number>`(EXISTS (SELECT 1 FROM case_entries e WHERE e.case_id = r.case_id AND e.kind = 'standard_missed'))::int::float8`,
    sql<number>`(EXISTS (SELECT 1 FROM recoveries v WHERE v.case_id = r.case_id))::int::float8`,
  ] : [];
  // Predictors, then the case facts (numbers already), then the outcome: c0, c1, ...
  const grouped = [...predictors.map(raw), ...facts, raw(out)];
  const c = (i: number) => sql.raw(`c${i}`);
  const asNumbers = [...predictors.map((k, i) => numeric(k, c(i))), ...facts.map((_, i) => sql<number>`${c(predictors.length + i)}`),
    numeric(out, c(grouped.length - 1))];
  const patterns = await inTransaction(ctx, async (tx) => {
    // The planner cannot know how few patterns a million answers make (it guesses 100,000) and
    // sorted them on disk; with room to hash them in memory it counts them in one pass.
    await roomForBigSorts(tx.db);
    return sql<{ v: (number | null)[]; n: number }>`
      SELECT v, n FROM (
        SELECT ARRAY[${sql.join(asNumbers)}]::float8[] AS v, n FROM (
          SELECT ${sql.join(grouped.map((g, i) => sql`${g} AS ${c(i)}`))}, count(*)::int AS n FROM survey_responses r
          WHERE r.survey_id = ${input.surveyId} ${input.from ? sql`AND r.started_at >= ${input.from}` : sql``} ${input.to ? sql`AND r.started_at < ${input.to}` : sql``}
            ${input.caseFacts ? sql`AND r.case_id IS NOT NULL` : sql``}
          GROUP BY ${sql.join(grouped.map((_, i) => sql.raw(String(i + 1))))}
          OFFSET 0 -- keeps the filter below on the patterns: pushed into the scan, it converts every answer
        ) g
      ) x WHERE array_position(v, NULL) IS NULL`.execute(tx.db);
  });
  const names = [...predictors.map((p) => p.key), ...(input.caseFacts ? CASE_FACTS : [])];
  const rows = patterns.rows.map((r) => Float64Array.from(r.v as number[]));
  const counts = Uint32Array.from(patterns.rows.map((r) => r.n));
  return driversOf(rows, names, { outcome, resamples: input.resamples ?? 200, seed: input.seed ?? 1, counts });
}

/** The computation itself, on complete rows (predictors then outcome). */
export function driversOf(rows: Float64Array[], names: string[], o: { outcome: string; resamples: number; seed: number; counts?: Uint32Array }) {
  const all = moments(rows, names.length + 1, o.counts);
  const n = all.n;
  const keep = names.map((_, j) => j).filter((j) => all.cov[j]![j]! > 0);
  const constant = names.filter((_, j) => !keep.includes(j));
  const outcomeVaries = all.cov[names.length]![names.length]! > 0;
  if (n < keep.length + 3 || !keep.length || !outcomeVaries) {
    return { outcome: o.outcome, n, r2: null, drivers: [], leftOut: constant, note: 'Too few complete answers (or no variation) to weigh drivers', headline: null };
  }
  const cols = [...keep, names.length];
  const sub = keep.length === names.length ? rows : rows.map((r) => Float64Array.from(cols.map((c) => r[c]!)));
  const m = keep.length === names.length ? all : moments(sub, cols.length, o.counts);
  const p = keep.length;
  const w = relativeWeights(m, p);
  const ci = o.resamples > 0 ? bootstrapWeights(sub, p, o.resamples, o.seed, o.counts) : keep.map(() => [NaN, NaN] as [number, number]);
  const list = keep.map((j, i) => ({ question: names[j]!, rawWeight: w.raw[i]!, share: w.share[i]!, ci95: ci[i]! }))
    .sort((a, b) => b.rawWeight - a.rawWeight);
  const top = list[0]!;
  const headline = `${capital(label(top.question))} matters most for ${label(o.outcome)}: it accounts for ${Math.round(top.share * 100)} % of what the answers explain (R² ${w.r2.toFixed(2)}, ${n} complete answers)`
    + (list[1] && list[1].ci95[1] >= top.ci95[0] ? `, though not clearly more than ${label(list[1].question)} (their intervals overlap).` : '.');
  return { outcome: o.outcome, n, r2: w.r2, drivers: list, leftOut: constant, resamples: o.resamples, seed: o.seed, headline };
}

const LABELS: Record<string, string> = {
  nps: 'likelihood to recommend', ces: 'effort', csat: 'satisfaction', stay: 'likelihood to stay', ease: 'ease', feeling: 'how we made them feel',
  expectation: 'meeting expectations', handovers: 'hand-overs', broken_promise: 'a broken promise', missed_standard: 'a missed standard', recovery: 'a recovery',
};
const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const label = (key: string) => LABELS[key] ?? key.replace(/_/g, ' ');

export const GROUPINGS = { touchpoint: 'touchpoint', team: 'team_id', department: 'department_id', segment: 'segment', case_type: 'case_type', channel: 'case_channel' } as const;
export type Grouping = keyof typeof GROUPINGS;

/**
 * Each group's NPS against everyone else's (z-test on the adjusted-Wald standard errors), with
 * p-values corrected for the number of groups compared (Holm): "different" only after correction.
 */
export async function compareGroups(ctx: Ctx, input: { by: Grouping; surveyId?: number; from?: Date; to?: Date }) {
  let q = ctx.db.selectFrom('survey_responses').select([
    sql<string | null>`${sql.ref(GROUPINGS[input.by])}::text`.as('group'),
    sql<number>`count(*) FILTER (WHERE nps >= 9)::int`.as('promoters'),
    sql<number>`count(*) FILTER (WHERE nps BETWEEN 7 AND 8)::int`.as('passives'),
    sql<number>`count(*) FILTER (WHERE nps <= 6)::int`.as('detractors'),
  ]).where('nps', 'is not', null);
  if (input.surveyId) q = q.where('survey_id', '=', input.surveyId);
  if (input.from) q = q.where('started_at', '>=', input.from);
  if (input.to) q = q.where('started_at', '<', input.to);
  const rows = await q.groupBy(sql`1`).orderBy(sql`1`).execute();
  const total = rows.reduce((t, r) => ({ p: t.p + r.promoters, n: t.n + r.passives, d: t.d + r.detractors }), { p: 0, n: 0, d: 0 });
  const tested = rows.map((r) => {
    const group = npsFromCounts(r.promoters, r.passives, r.detractors);
    const rest = npsFromCounts(total.p - r.promoters, total.n - r.passives, total.d - r.detractors);
    const z = group.nps !== null && rest.nps !== null && group.se && rest.se ? (group.nps - rest.nps) / Math.sqrt(group.se ** 2 + rest.se ** 2) : null;
    return { group: r.group, ...group, restNps: rest.nps, difference: group.nps !== null && rest.nps !== null ? group.nps - rest.nps : null, p: z === null ? 1 : 2 * (1 - normalCdf(Math.abs(z))) };
  });
  const adjusted = holm(tested.map((t) => t.p));
  return {
    by: input.by, test: 'two-sided z-test of each group against all others, Holm-corrected for the number of groups', overall: npsFromCounts(total.p, total.n, total.d),
    groups: tested.map((t, i) => ({ ...t, pAdjusted: adjusted[i]!, different: adjusted[i]! < 0.05 })),
  };
}

/** A customer's stated loyalty over time: the last NPS and likelihood to stay, and their trend. */
export async function customerLoyalty(ctx: Ctx, customerId: number) {
  if (!await ctx.db.selectFrom('customers').select('id').where('id', '=', customerId).executeTakeFirst()) throw new NotFound('Customer', customerId);
  const answers = await ctx.db.selectFrom('survey_responses').select(['id', 'survey_id as surveyId', 'nps', 'stay', 'comment', 'started_at as at', 'recovery_case_id as recoveryCaseId'])
    .where('customer_id', '=', customerId).where((eb) => eb.or([eb('nps', 'is not', null), eb('stay', 'is not', null)])).orderBy('started_at', 'desc').limit(20).execute();
  const score = (a: { nps: number | null; stay: number | null }) => a.nps ?? a.stay;
  const [last, previous] = answers;
  const trend = last && previous ? Math.sign(score(last)! - score(previous)!) : null;
  const activity = await ctx.db.selectFrom('customer_activities').select([
    sql<number>`count(*) FILTER (WHERE kind IN ('purchase', 'renewal'))::int`.as('purchases'), sql<number>`count(*) FILTER (WHERE kind = 'visit')::int`.as('visits'),
    sql<string | null>`sum(amount) FILTER (WHERE kind IN ('purchase', 'renewal'))::text`.as('spend'), sql<Date | null>`max(occurred_at)`.as('lastActivityAt'),
    sql<boolean>`bool_or(kind = 'cancellation')`.as('cancelled'),
  ]).where('customer_id', '=', customerId).executeTakeFirstOrThrow();
  return {
    customerId, last: last ? { ...last, score: score(last), question: last.nps !== null ? 'nps' : 'stay' } : null,
    trend: trend === null ? null : trend > 0 ? 'up' : trend < 0 ? 'down' : 'flat', history: answers.map((a) => ({ at: a.at, score: score(a) })).reverse(),
    activity: { ...activity, spend: activity.spend === null ? 0 : Number(activity.spend), cancelled: !!activity.cancelled },
  };
}

/** On a recovery case: the survey answer that opened it (score, comment) and the case it was about. */
export async function answerBehindRecovery(ctx: Ctx, caseId: number) {
  const r = await ctx.db.selectFrom('survey_responses as r').leftJoin('cases as c', 'c.id', 'r.case_id')
    .select(['r.id', 'r.survey_id as surveyId', 'r.nps', 'r.stay', 'r.ces', 'r.csat', 'r.expectation', 'r.answers', 'r.comment', 'r.complaint', 'r.language',
      'r.started_at as answeredAt', 'r.case_id as aboutCaseId', 'c.subject as aboutCaseSubject'])
    .where('r.recovery_case_id', '=', caseId).orderBy('r.id').executeTakeFirst();
  return { caseId, answer: r ?? null };
}
