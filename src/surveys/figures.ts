/** NPS and effort, overall and broken down, always with their intervals. */
import { sql } from 'kysely';
import type { Ctx } from '../core/context';
import { getSurvey } from './service';
import { keyOf, scaleOf, STANDARD } from './questions';
import { cesOf, npsFromCounts, sampleSizeFor, significantChange, type NpsFigure } from './nps';

export const BREAKDOWNS = { period: null, team: 'team_id', agent: 'agent_id', case_type: 'case_type', channel: 'case_channel', touchpoint: 'touchpoint', department: 'department_id' } as const;
export type Breakdown = keyof typeof BREAKDOWNS;

interface Filter { from?: Date; to?: Date; surveyId?: number }

function base(ctx: Ctx, f: Filter) {
  let q = ctx.db.selectFrom('survey_responses');
  if (f.from) q = q.where('started_at', '>=', f.from);
  if (f.to) q = q.where('started_at', '<', f.to);
  if (f.surveyId) q = q.where('survey_id', '=', f.surveyId);
  return q;
}

const counts = [
  sql<number>`count(*) FILTER (WHERE nps >= 9)::int`.as('promoters'),
  sql<number>`count(*) FILTER (WHERE nps BETWEEN 7 AND 8)::int`.as('passives'),
  sql<number>`count(*) FILTER (WHERE nps <= 6)::int`.as('detractors'),
  sql<number | null>`avg(ces)`.as('cesMean'),
  sql<number>`count(ces)::int`.as('cesAnswers'),
  sql<number>`count(*) FILTER (WHERE ces >= 5)::int`.as('cesAgree'),
] as const;

function shape(r: { promoters: number; passives: number; detractors: number; cesMean: number | null; cesAnswers: number; cesAgree: number }) {
  return {
    ...npsFromCounts(r.promoters, r.passives, r.detractors),
    ces: { answers: r.cesAnswers, mean: r.cesMean === null ? null : Number(r.cesMean), agreeShare: r.cesAnswers ? r.cesAgree / r.cesAnswers : null },
  };
}

export type FigureGroup = ReturnType<typeof shape> & { group: string | number | null; change?: number | null; significantChange?: boolean };

export async function surveyFigures(ctx: Ctx, f: Filter & { by?: Breakdown; margin?: number }) {
  const overall = shape(await base(ctx, f).select(counts).executeTakeFirstOrThrow());
  const margin = f.margin ?? 5;
  return {
    overall, sampleSizeForMargin: { margin, answers: sampleSizeFor(margin, overall) }, groups: f.by ? await groupsOf(ctx, f, f.by) : undefined,
    questions: f.surveyId ? await questionFigures(ctx, f) : undefined,
  };
}

/**
 * Every question of one survey, whatever its kind: scales as a mean with its 95 % interval (t
 * approximated by 1.96 beyond 30 answers) and top-box share with a Wilson interval; choices as
 * shares with Wilson intervals; open questions as the number answered.
 */
async function questionFigures(ctx: Ctx, f: Filter) {
  const survey = await getSurvey(ctx, f.surveyId!);
  const figures = [];
  for (const q of survey.questions) {
    const key = keyOf(q);
    const scale = scaleOf(q);
    const choices = STANDARD[q.kind].choices;
    if (scale) {
      const r = await base(ctx, f).select([
        sql<number>`count(*) FILTER (WHERE jsonb_typeof(answers -> ${key}) = 'number')::int`.as('n'),
        sql<number | null>`avg((answers ->> ${key})::float8) FILTER (WHERE jsonb_typeof(answers -> ${key}) = 'number')`.as('mean'),
        sql<number | null>`stddev_samp((answers ->> ${key})::float8) FILTER (WHERE jsonb_typeof(answers -> ${key}) = 'number')`.as('sd'),
        sql<number>`count(*) FILTER (WHERE jsonb_typeof(answers -> ${key}) = 'number' AND (answers ->> ${key})::float8 >= ${scale.max - Math.floor((scale.max - scale.min) / 5)})::int`.as('top'),
      ]).executeTakeFirstOrThrow();
      const mean = r.mean === null ? null : Number(r.mean);
      const half = r.n > 1 && r.sd !== null ? tCritical(r.n - 1) * Number(r.sd) / Math.sqrt(r.n) : null;
      figures.push({ key, kind: q.kind, scale: { min: scale.min, max: scale.max }, answers: r.n, mean, ci95: mean !== null && half !== null ? [mean - half, mean + half] as [number, number] : null,
        topBox: { from: scale.max - Math.floor((scale.max - scale.min) / 5), share: r.n ? r.top / r.n : null, ci95: wilson(r.top, r.n) } });
    } else if (choices) {
      const rows = await base(ctx, f).select([sql<string>`answers ->> ${key}`.as('choice'), sql<number>`count(*)::int`.as('n')]).where(sql<boolean>`answers ? ${key}`).groupBy(sql`1`).execute();
      const n = rows.reduce((s, r) => s + r.n, 0);
      figures.push({ key, kind: q.kind, answers: n, shares: choices.map((c) => { const k = rows.find((r) => r.choice === c)?.n ?? 0; return { choice: c, answers: k, share: n ? k / n : null, ci95: wilson(k, n) }; }) });
    } else {
      const r = await base(ctx, f).select(sql<number>`count(*) FILTER (WHERE coalesce(answers ->> ${key}, '') <> '')::int`.as('n')).executeTakeFirstOrThrow();
      figures.push({ key, kind: q.kind, answers: r.n });
    }
  }
  return figures;
}

/** Wilson score interval for a proportion (95 %). */
function wilson(k: number, n: number): [number, number] | null {
  if (!n) return null;
  const z = 1.96, p = k / n, d = 1 + z * z / n;
  const centre = (p + z * z / (2 * n)) / d;
  const half = (z * Math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / d;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** Two-sided 97.5 % point of Student's t (small samples), 1.96 beyond 30 degrees of freedom. */
function tCritical(df: number): number {
  const T = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];
  return df <= 30 ? T[df - 1]! : 1.96;
}

async function groupsOf(ctx: Ctx, f: Filter, by: Breakdown): Promise<FigureGroup[]> {
  if (by === 'period') {
    const rows = await base(ctx, f).select([sql<string>`to_char(date_trunc('month', started_at), 'YYYY-MM')`.as('group'), ...counts]).groupBy(sql`1`).orderBy(sql`1`).execute();
    let previous: NpsFigure | null = null;
    return rows.map((r) => {
      const figure = shape(r);
      const changed = previous ? significantChange(previous, figure) : false;
      const change = previous && previous.nps !== null && figure.nps !== null ? figure.nps - previous.nps : null;
      previous = figure;
      return { group: r.group, ...figure, change, significantChange: changed };
    });
  }
  const col = BREAKDOWNS[by];
  const rows = await base(ctx, f).select([sql<string | number | null>`${sql.ref(col!)}`.as('group'), ...counts]).groupBy(sql`1`).orderBy(sql`1`).execute();
  return rows.map((r) => ({ group: r.group, ...shape(r) }));
}

export { cesOf };
