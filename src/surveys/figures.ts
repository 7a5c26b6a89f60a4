/** NPS and effort, overall and broken down, always with their intervals. */
import { sql } from 'kysely';
import type { Ctx } from '../core/context';
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
  return { overall, sampleSizeForMargin: { margin, answers: sampleSizeFor(margin, overall) }, groups: f.by ? await groupsOf(ctx, f, f.by) : undefined };
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
