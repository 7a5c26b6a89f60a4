/**
 * The monthly management review: one page per month that leaders can trust. NPS and its trend
 * with intervals, the response rate, what happened to detractors, promises kept, recoveries
 * within 24 hours, and the themes customers wrote about.
 */
import { sql } from 'kysely';
import { DateTime } from 'luxon';
import type { Ctx } from '../core/context';
import { Invalid } from '../core/errors';
import { getSettings } from '../org';
import { recoveryFigures } from '../recovery';
import { npsFromCounts, sampleSizeFor, significantChange } from '../surveys/nps';
import { topThemes } from './themes';
import { journeyMap } from '../touchpoints';
import { listScorecards } from '../scorecards';
import { serviceStars } from '../stars';
import { loyaltyInputs } from '../loyalty-inputs';
import { figuresOverEach } from '../daily-figures';

const TREND_MONTHS = 6;

interface SurveyCounts {
  promoters: number; passives: number; detractors: number; invitations: number; answered: number; unhappy: number;
  withRecovery: number; fixedWithin24h: number; fixedLate: number; stillOpen: number; loyaltyRecovered: number; outcomeRecorded: number;
  /** Promises that fell due in the period, kept and broken. */
  kept: number; broken: number;
}

function monthRange(month: string, timeZone: string) {
  const start = DateTime.fromFormat(month, 'yyyy-MM', { zone: timeZone });
  if (!start.isValid) throw new Invalid('params.month', 'format', 'A month looks like 2026-05');
  return { start, end: start.plus({ months: 1 }) };
}

export async function monthlyReview(ctx: Ctx, month: string) {
  const settings = await getSettings(ctx);
  const { start, end } = monthRange(month, settings.timeZone);
  const from = start.toJSDate();
  const to = end.toJSDate();

  // Counts per month from the daily figures (see daily-figures), the six months in one statement: the
  // months are the organisation's, so each month's first and last partial UTC day come from the raw rows.
  const surveyCounts = (periods: { from: Date; to: Date }[]) => figuresOverEach<SurveyCounts>(ctx, 'survey', periods, sql`
    coalesce(sum(x.promoters), 0)::int AS promoters, coalesce(sum(x.passives), 0)::int AS passives, coalesce(sum(x.detractors), 0)::int AS detractors,
    coalesce(sum(x.invitations), 0)::int AS invitations, coalesce(sum(x.answered), 0)::int AS answered, coalesce(sum(x.unhappy), 0)::int AS unhappy,
    coalesce(sum(x.unhappy_with_recovery), 0)::int AS "withRecovery", coalesce(sum(x.unhappy_fixed_within_24h), 0)::int AS "fixedWithin24h",
    coalesce(sum(x.unhappy_fixed_late), 0)::int AS "fixedLate", coalesce(sum(x.unhappy_still_open), 0)::int AS "stillOpen",
    coalesce(sum(x.unhappy_loyalty_recovered), 0)::int AS "loyaltyRecovered", coalesce(sum(x.unhappy_outcome_recorded), 0)::int AS "outcomeRecorded",
    coalesce(sum(x.promises_kept), 0)::int AS kept, coalesce(sum(x.promises_broken), 0)::int AS broken`);
  const months = Array.from({ length: TREND_MONTHS }, (_, i) => start.minus({ months: TREND_MONTHS - 1 - i }));
  // Next to the outcomes, the inputs behind them: the journey, every department, the people, the seven inputs.
  // Every part at once: the database reads one while Node tokenises the themes or finds a day's compliments.
  const quarter = `${start.year}-Q${Math.ceil(start.month / 3)}`;
  const [counts, comments, recoveries, journey, scorecards, stars, inputs] = await Promise.all([
    surveyCounts(months.map((m) => ({ from: m.toJSDate(), to: m.plus({ months: 1 }).toJSDate() }))),
    ctx.db.selectFrom('survey_responses').select('comment').where('comment', 'is not', null).where('started_at', '>=', from).where('started_at', '<', to).limit(5000).execute(),
    recoveryFigures(ctx, { from, to }),
    journeyMap(ctx, { from, to }), ctx.actor ? listScorecards(ctx, { from, to }) : Promise.resolve({ scope: 'all' as const, items: [] }),
    serviceStars(ctx, { from, to }), loyaltyInputs(ctx, quarter),
  ]);
  const trend = months.map((m, i) => ({ month: m.toFormat('yyyy-MM'), ...npsFromCounts(counts[i]!.promoters, counts[i]!.passives, counts[i]!.detractors) }));
  const thisMonth = counts.at(-1)!;
  const current = trend.at(-1)!;
  const previous = trend.at(-2)!;
  const { kept, broken } = thisMonth;

  return {
    organisation: settings.name,
    month,
    timeZone: settings.timeZone,
    from,
    to,
    nps: { ...current, answersFor5PointMargin: sampleSizeFor(5, current), previous: previous.nps, change: current.nps !== null && previous.nps !== null ? current.nps - previous.nps : null, significantChange: significantChange(previous, current) },
    trend,
    responseRate: { invitations: thisMonth.invitations, answered: thisMonth.answered, rate: thisMonth.invitations ? thisMonth.answered / thisMonth.invitations : null },
    detractorFollowUps: { detractors: thisMonth.unhappy, withRecovery: thisMonth.withRecovery, fixedWithin24h: thisMonth.fixedWithin24h, fixedLate: thisMonth.fixedLate,
      stillOpen: thisMonth.stillOpen, loyaltyRecovered: thisMonth.loyaltyRecovered, outcomeRecorded: thisMonth.outcomeRecorded },
    promises: { kept, broken, keptRate: kept + broken ? kept / (kept + broken) : null },
    recoveries: { opened: recoveries.opened, fixedWithin24h: recoveries.fixedWithin24h, shareFixedWithin24h: recoveries.shareFixedWithin24h, meanHoursToFix: recoveries.meanHoursToFix, surpriseRate: recoveries.surpriseRate, bySource: recoveries.bySource },
    themes: topThemes(comments.map((c) => c.comment!)),
    journey: { weakest: journey.weakest, consistency: journey.consistency, badExperienceWeight: journey.badExperienceWeight,
      touchpoints: journey.touchpoints.map((t) => ({ key: t.key, name: t.name, momentOfTruth: t.momentOfTruth, volume: t.volume, nps: t.nps.nps, low: t.nps.low, high: t.nps.high, answers: t.nps.answers, experienceScore: t.experienceScore })) },
    scorecards: scorecards.items,
    stars: stars.people.slice(0, 10).map((p) => ({ staffId: p.staffId, name: p.name, score: p.score, low: p.low, high: p.high, moments: p.moments, star: p.star })),
    inputs: { quarter: inputs.quarter, items: inputs.inputs.map((i) => ({ key: i.key, name: i.name, leader: i.leader?.name ?? null, current: i.current.mean, target: i.target.mean, min: i.current.min, max: i.current.max, raters: i.ratings.length, actions: i.actions.length })),
      overdueActions: inputs.overdueActions.map((a) => ({ input: a.input, text: a.text, owner: a.ownerName, dueAt: a.dueAt, status: a.status })) },
  };
}

export type Review = Awaited<ReturnType<typeof monthlyReview>>;

const fmt = (v: number | null, digits = 1) => (v === null ? '' : v.toFixed(digits));

/** The same review as CSV: one row per figure, so it opens cleanly in any spreadsheet. */
export function reviewCsv(r: Review): string {
  const rows: (string | number)[][] = [['section', 'item', 'value', 'low', 'high', 'answers']];
  rows.push(['nps', r.month, fmt(r.nps.nps), fmt(r.nps.low), fmt(r.nps.high), r.nps.answers]);
  for (const t of r.trend) rows.push(['nps_trend', t.month, fmt(t.nps), fmt(t.low), fmt(t.high), t.answers]);
  rows.push(['response_rate', 'answered / invited', fmt(r.responseRate.rate === null ? null : r.responseRate.rate * 100), '', '', r.responseRate.answered]);
  for (const [k, v] of Object.entries(r.detractorFollowUps)) rows.push(['detractor_follow_ups', k, v, '', '', '']);
  rows.push(['promises', 'kept rate %', fmt(r.promises.keptRate === null ? null : r.promises.keptRate * 100), '', '', r.promises.kept + r.promises.broken]);
  rows.push(['recoveries', 'fixed within 24 h %', fmt(r.recoveries.shareFixedWithin24h === null ? null : r.recoveries.shareFixedWithin24h * 100), '', '', r.recoveries.opened]);
  for (const t of r.themes) rows.push(['themes', t.phrase, t.comments, '', '', '']);
  for (const t of r.journey.touchpoints) rows.push(['touchpoint_nps', t.name, fmt(t.nps), fmt(t.low), fmt(t.high), t.answers]);
  for (const t of r.journey.touchpoints) rows.push(['touchpoint_experience_score', t.name, fmt(t.experienceScore), '', '', t.answers]);
  if (r.journey.weakest) rows.push(['weakest_moment', `${r.journey.weakest.name}${r.journey.weakest.significant ? ' (significant)' : ' (not significant)'}`, fmt(r.journey.weakest.difference), fmt(r.journey.weakest.low), fmt(r.journey.weakest.high), '']);
  rows.push(['consistency', 'promoter and detractor within 30 days %', fmt(r.journey.consistency.mixedShare === null ? null : r.journey.consistency.mixedShare * 100), '', '', r.journey.consistency.customersWithSeveralAnswers]);
  for (const d of r.scorecards) {
    rows.push(['scorecard_cases_caused', d.name, d.casesCaused, '', '', '']);
    rows.push(['scorecard_promises_kept %', d.name, fmt(d.promises.keptRate === null ? null : d.promises.keptRate * 100), '', '', d.promises.kept + d.promises.broken]);
    rows.push(['scorecard_recoveries_within_24h %', d.name, fmt(d.recoveries.shareWithin24h === null ? null : d.recoveries.shareWithin24h * 100), '', '', d.recoveries.caused]);
    rows.push(['scorecard_nps_touched_by_failures', d.name, fmt(d.loyalty.touchedByFailures.nps), fmt(d.loyalty.touchedByFailures.low), fmt(d.loyalty.touchedByFailures.high), d.loyalty.touchedByFailures.answers]);
    rows.push(['scorecard_first_contact_resolution %', d.name, fmt(d.firstContact.resolutionRate === null ? null : d.firstContact.resolutionRate * 100), '', '', d.firstContact.handled]);
    rows.push(['scorecard_internal_requests_within_standard %', d.name, fmt(d.internalRequests.standardMetRate === null ? null : d.internalRequests.standardMetRate * 100), '', '', d.internalRequests.received]);
  }
  for (const p of r.stars) rows.push(['service_star', p.name, fmt(p.score), fmt(p.low), fmt(p.high), p.moments]);
  for (const i of r.inputs.items) rows.push(['loyalty_input', `${i.name} (${r.inputs.quarter}) now / target`, `${fmt(i.current)} / ${fmt(i.target)}`, i.min ?? '', i.max ?? '', i.raters]);
  for (const a of r.inputs.overdueActions) rows.push(['overdue_input_action', `${a.input}: ${a.text} (${a.owner ?? 'no owner'})`, a.status, '', '', '']);
  return rows.map((row) => row.map((c) => (/[",\n]/.test(String(c)) ? `"${String(c).replace(/"/g, '""')}"` : String(c))).join(',')).join('\r\n') + '\r\n';
}
