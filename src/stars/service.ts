/**
 * Service stars: recognition computed only from what customers experienced. Each person's
 * "good moments" out of their "moments" in a period, by category:
 *   compliments  a survey comment or customer message that names them (full name, or the first
 *                name of the person it is about) and reads positive (sentiment > 0): 1 of 1
 *   kudos        from a customer or a colleague: 1 of 1
 *   promises     their promises that fell due: kept of kept + broken
 *   recoveries   recoveries they owned, opened in the period: fixed within 24 h of those settled
 *   loyalty      survey answers credited to them: promoters of answers
 * Never sales, volume or handle time: nothing here reads a case count, an amount or a duration
 * other than the 24-hour recovery clock.
 *
 * Small numbers must not crown luck, so the rate is shrunk toward the team's (credibility
 * weighting, a beta-binomial posterior mean):
 *   score = (good + K × teamRate) / (moments + K),   K = 5,  teamRate = Σgood / Σmoments of the team
 * with a 95 % interval score ± 1.96 × √(score × (1 − score) / (moments + K + 1)).
 * Someone with one promoter answer on a team at 50 % scores (1 + 2.5) / 6 = 58 %, not 100 %.
 */
import { sql } from 'kysely';
import type { Ctx } from '../core/context';
import { complimentsOver, figuresOver } from '../daily-figures';

export const STAR_CATEGORIES = ['compliments', 'kudos', 'promises', 'recoveries', 'loyalty'] as const;
export type StarCategory = (typeof STAR_CATEGORIES)[number];
export const CREDIBILITY_K = 5;
const Z = 1.96;

type Tally = Record<StarCategory, { good: number; moments: number }>;
const emptyTally = (): Tally => Object.fromEntries(STAR_CATEGORIES.map((c) => [c, { good: 0, moments: 0 }])) as Tally;

export async function excludedCategories(ctx: Ctx): Promise<StarCategory[]> {
  const row = await ctx.db.selectFrom('organisation').select('star_excluded_categories').executeTakeFirst();
  return (row?.star_excluded_categories ?? []).filter((c): c is StarCategory => (STAR_CATEGORIES as readonly string[]).includes(c));
}

export function shrink(good: number, moments: number, teamRate: number) {
  const score = (good + CREDIBILITY_K * teamRate) / (moments + CREDIBILITY_K);
  const half = Z * Math.sqrt((score * (1 - score)) / (moments + CREDIBILITY_K + 1));
  return { score, low: Math.max(0, score - half), high: Math.min(1, score + half) };
}

export async function serviceStars(ctx: Ctx, period: { from: Date; to: Date }) {
  const { from, to } = period;
  const staff = await ctx.db.selectFrom('staff').select(['id', 'name', 'team_id as teamId', 'department_id as departmentId']).where('active', '=', true).where('role', '<>', 'executive').execute();
  const [excluded, compliments, figures] = await Promise.all([
    excludedCategories(ctx),
    // Compliments per person: found once per text when it arrived (see daily-figures/compliments).
    complimentsOver(ctx, period, staff),
    // Kudos, promises, recoveries and answers per person: the daily figures (see daily-figures).
    figuresOver<{ staff_id: string; kudos: number; kept: number; broken: number; recovered: number; settled: number; promoters: number; answers: number }>(ctx, 'staff', period,
      sql`sum(x.kudos)::int AS kudos, sum(x.promises_kept)::int AS kept, sum(x.promises_broken)::int AS broken, sum(x.recoveries_recovered)::int AS recovered,
        sum(x.recoveries_settled)::int AS settled, sum(x.promoters)::int AS promoters, sum(x.answers)::int AS answers`, 'staff_id'),
  ]);
  const tallies = new Map(staff.map((s) => [s.id, emptyTally()]));
  const add = (id: number | null, c: StarCategory, good: number, moments: number) => {
    const t = id === null ? undefined : tallies.get(id);
    if (t) { t[c].good += good; t[c].moments += moments; }
  };
  for (const [id, n] of compliments) add(id, 'compliments', n, n);
  for (const f of figures) {
    const id = Number(f.staff_id);
    if (f.kudos) add(id, 'kudos', f.kudos, f.kudos);
    if (f.kept + f.broken) add(id, 'promises', f.kept, f.kept + f.broken);
    if (f.settled || f.recovered) add(id, 'recoveries', f.recovered, f.settled);
    if (f.answers) add(id, 'loyalty', f.promoters, f.answers);
  }

  const counted = STAR_CATEGORIES.filter((c) => !excluded.includes(c));
  const totals = new Map(staff.map((s) => {
    const t = tallies.get(s.id)!;
    return [s.id, { good: counted.reduce((a, c) => a + t[c].good, 0), moments: counted.reduce((a, c) => a + t[c].moments, 0) }];
  }));
  const teamRates = new Map<number | null, number>();
  for (const teamId of new Set(staff.map((s) => s.teamId))) {
    const members = staff.filter((s) => s.teamId === teamId).map((s) => totals.get(s.id)!);
    const good = members.reduce((a, m) => a + m.good, 0);
    const moments = members.reduce((a, m) => a + m.moments, 0);
    teamRates.set(teamId, moments ? good / moments : 0.5);
  }
  const people = staff.map((s) => {
    const t = totals.get(s.id)!;
    const teamRate = teamRates.get(s.teamId)!;
    const shrunk = shrink(t.good, t.moments, teamRate);
    return {
      staffId: s.id, name: s.name, teamId: s.teamId, departmentId: s.departmentId,
      good: t.good, moments: t.moments, rawRate: t.moments ? t.good / t.moments : null, teamRate,
      score: 100 * shrunk.score, low: 100 * shrunk.low, high: 100 * shrunk.high,
      // A star: even the low end of their interval is above their team's rate.
      star: t.moments > 0 && shrunk.low > teamRate,
      categories: tallies.get(s.id)!,
    };
  }).filter((p) => p.moments > 0).sort((a, b) => b.score - a.score || a.name.localeCompare(b.name));
  return { from, to, excludedCategories: excluded, credibilityK: CREDIBILITY_K, people };
}

export type ServiceStars = Awaited<ReturnType<typeof serviceStars>>;
