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
import Sentiment from 'sentiment';
import { sql } from 'kysely';
import type { Ctx } from '../core/context';
import { figuresOver } from '../daily-figures';

export const STAR_CATEGORIES = ['compliments', 'kudos', 'promises', 'recoveries', 'loyalty'] as const;
export type StarCategory = (typeof STAR_CATEGORIES)[number];
export const CREDIBILITY_K = 5;
const Z = 1.96;
const sentiment = new Sentiment();

type Tally = Record<StarCategory, { good: number; moments: number }>;
const emptyTally = (): Tally => Object.fromEntries(STAR_CATEGORIES.map((c) => [c, { good: 0, moments: 0 }])) as Tally;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A name as a whole word: no letter right before or after it, any letter case. */
const namePattern = (name: string) => new RegExp(`(?<!\\p{L})${escape(name)}(?!\\p{L})`, 'iu');

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
  const [staff, excluded, comments, figures] = await Promise.all([
    ctx.db.selectFrom('staff').select(['id', 'name', 'team_id as teamId', 'department_id as departmentId']).where('active', '=', true).where('role', '<>', 'executive').execute(),
    excludedCategories(ctx),
    sql<{ about: number | null; text: string }>`
      SELECT agent_id AS about, comment AS text FROM survey_responses WHERE comment IS NOT NULL AND started_at >= ${from} AND started_at < ${to}
      UNION ALL
      -- The owner by the case's primary key, one message at a time: a join would hash every case.
      SELECT (SELECT c.owner_id FROM cases c WHERE c.id = e.case_id), e.body FROM case_entries e
      WHERE e.kind = 'inbound_message' AND e.body IS NOT NULL AND e.created_at >= ${from} AND e.created_at < ${to}`.execute(ctx.db),
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
  // Each name's pattern is compiled once. One alternation of every full name finds where a comment
  // names someone at all; only the people whose name starts with the letter found there are then
  // tested (everyone when that letter is not a plain A–Z, so case folding cannot hide a match), and
  // the sentiment is read only for comments that name someone.
  const fullName = new Map(staff.map((s) => [s.id, namePattern(s.name)]));
  const firstName = new Map(staff.map((s) => {
    const first = s.name.split(/\s+/)[0]!;
    return [s.id, first.length >= 2 ? namePattern(first) : null];
  }));
  const byInitial = new Map<string, typeof staff>();
  const otherInitial: typeof staff = [];
  for (const s of staff) {
    const c = s.name[0] ?? '';
    if (/^[A-Za-z]$/.test(c)) byInitial.set(c.toLowerCase(), [...(byInitial.get(c.toLowerCase()) ?? []), s]);
    else otherInitial.push(s);
  }
  const alternation = staff.map((s) => escape(s.name)).join('|');
  const anyFullName = staff.length ? new RegExp(`(?<!\\p{L})(?:${alternation})(?!\\p{L})`, 'iu') : null;
  const whereNamed = new RegExp(`(?<!\\p{L})(?=(?:${alternation})(?!\\p{L}))`, 'giu');
  const candidates = (text: string) => {
    if (!anyFullName!.test(text)) return [];
    const initials = new Set(Array.from(text.matchAll(whereNamed), (m) => text[m.index]!));
    if (!initials.size) return [];
    if ([...initials].some((c) => !/^[A-Za-z]$/.test(c))) return staff;
    return [...otherInitial, ...[...initials].flatMap((c) => byInitial.get(c.toLowerCase()) ?? [])];
  };
  // A text can name someone only if it holds, as a word, the first run of letters of that name.
  // Testing that on a word set skips the patterns for most texts (a month of messages at scale);
  // it is exact where letters are plain ASCII in both names and text, elsewhere the patterns decide.
  const firstRun = (name: string) => /^\p{L}+/u.exec(name)?.[0].toLowerCase() ?? null;
  const keys = new Set(staff.map((s) => firstRun(s.name)));
  const asciiNames = staff.every((s) => /^[a-z]+$/.test(firstRun(s.name) ?? ''));
  const mayName = (text: string) => !asciiNames || !/^\p{ASCII}*$/u.test(text) || text.toLowerCase().split(/[^a-z]+/).some((w) => keys.has(w));
  for (const { about, text } of comments.rows) {
    if (!mayName(text)) continue;
    const named = new Set<number>();
    if (anyFullName) for (const s of candidates(text)) if (fullName.get(s.id)!.test(text)) named.add(s.id);
    if (about !== null && firstName.get(about)?.test(text)) named.add(about);
    if (!named.size || sentiment.analyze(text).score <= 0) continue;
    for (const id of named) add(id, 'compliments', 1, 1);
  }
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
