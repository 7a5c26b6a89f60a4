/**
 * Daily figures: the counts behind the journey map, the scorecards, the service stars and the
 * monthly review, kept per UTC day and per touchpoint, department, staff member (and for the
 * whole organisation), so a page reads days × groups rows whatever the number of cases.
 *
 * The figures are defined once, in SQL (migrations/0087_daily_figures.sql: touchpoint_figures,
 * department_figures, staff_figures, survey_figures over [lo, hi)). The *_days tables hold whole
 * past days of them; a page adds the partial days at the ends of its period, and today, from the
 * same functions over the raw rows, so its answer is exactly what the raw rows say, and today's
 * part is never stale. Past days are recomputed by the daily-figures subscriber for every day an
 * event touched (within a second of the write), and by `rebuildSummaries`.
 */
import { sql, type RawBuilder } from 'kysely';
import { inTransaction, type Ctx } from '../core/context';
import { rebuildCompliments } from './compliments';

export type FigureTable = 'touchpoint' | 'department' | 'staff' | 'survey';

const DAY_MS = 86_400_000;
const floorDay = (d: Date) => new Date(Math.floor(d.getTime() / DAY_MS) * DAY_MS);
const ceilDay = (d: Date) => new Date(Math.ceil(d.getTime() / DAY_MS) * DAY_MS);
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/**
 * The rows of one table's figures over [from, to): whole past days from the summary, the rest
 * (the period's partial first and last day, today) computed from the raw rows. `columns` are the
 * aggregates over the combined rows (e.g. `sum(x.promoters)::int AS promoters`), `key` the group.
 */
export async function figuresOver<R>(ctx: Ctx, table: FigureTable, period: { from: Date; to: Date }, columns: RawBuilder<unknown>, key?: string): Promise<R[]> {
  const trusted = await completeBefore(ctx);
  const group = key ? sql`GROUP BY x.${sql.raw(key)}` : sql``;
  const keyColumn = key ? sql`x.${sql.raw(key)}, ` : sql``;
  return (await sql<R>`SELECT ${keyColumn}${columns} FROM (${partsOf(ctx, table, period, trusted, 0)}) x ${group}`.execute(ctx.db)).rows;
}

/** One row of `columns` per period (a trend of months, say), in one statement: the same sums as figuresOver for each. */
export async function figuresOverEach<R>(ctx: Ctx, table: FigureTable, periods: { from: Date; to: Date }[], columns: RawBuilder<unknown>): Promise<R[]> {
  const trusted = await completeBefore(ctx);
  const parts = sql.join(periods.map((p, i) => partsOf(ctx, table, p, trusted, i)), sql` UNION ALL `);
  const rows = (await sql<R & { period: number }>`SELECT x.period, ${columns} FROM (${parts}) x GROUP BY x.period`.execute(ctx.db)).rows;
  const byPeriod = new Map(rows.map((r) => [r.period, r]));
  // A period without a row (no figures at all) sums to what figuresOver gives for it: one row of nulls.
  const empty = rows.length < periods.length
    ? (await sql<R>`SELECT ${columns} FROM (SELECT * FROM ${sql.table(`${table}_days`)} WHERE false) x`.execute(ctx.db)).rows[0]! : null;
  return periods.map((_, i) => { const r = byPeriod.get(i); if (!r) return empty!; const { period: _p, ...rest } = r; return rest as unknown as R; });
}

/** The rows of one period: whole trusted days from the summary, the partial days and today from the raw rows; `period` numbers them. */
function partsOf(ctx: Ctx, table: FigureTable, period: { from: Date; to: Date }, trusted: Date, n: number) {
  const { from, to } = period;
  const days = sql.table(`${table}_days`);
  const fn = sql.raw(`${table}_figures`);
  const tag = sql.raw(`${Number(n)}`);
  const d0 = ceilDay(from);
  // Trusted: whole days recomputed after they ended, never today (whatever the clock says).
  const d1 = new Date(Math.min(floorDay(to).getTime(), floorDay(ctx.clock.now()).getTime(), trusted.getTime()));
  return d0 < d1
    ? sql`SELECT ${tag} AS period, * FROM ${days} WHERE day >= ${isoDay(d0)}::date AND day < ${isoDay(d1)}::date
        UNION ALL SELECT ${tag}, * FROM ${fn}(${from}::timestamptz, ${d0}::timestamptz) WHERE ${from < d0}
        UNION ALL SELECT ${tag}, * FROM ${fn}(${d1}::timestamptz, ${to}::timestamptz) WHERE ${d1 < to}`
    : sql`SELECT ${tag} AS period, * FROM ${fn}(${from}::timestamptz, ${to}::timestamptz)`;
}

/**
 * Recomputes the summaries from the raw rows: every day, or the UTC days [from, to) touches. Used
 * by the migration for the data already there, by the scale bench after writing its rows, and by
 * anything that writes raw rows without publishing events (a seeder, an import of history).
 */
export async function rebuildSummaries(ctx: Pick<Ctx, 'db'>, period?: { from: Date; to: Date }): Promise<void> {
  const from = period ? isoDay(floorDay(period.from)) : '-infinity';
  const to = period ? isoDay(ceilDay(period.to)) : 'infinity';
  await sql`SELECT refresh_daily_figures(${from}::date, ${to}::date)`.execute(ctx.db);
  // The compliments are found in Node (names and sentiment), from the same raw rows.
  await rebuildCompliments(ctx.db, period ? { from, to } : undefined);
  // Everything recomputed: every day before today is now complete, every compliment kept.
  if (!period) await sql`UPDATE daily_figures_state SET complete_before = (now() AT TIME ZONE 'UTC')::date, compliments_from = '-infinity'`.execute(ctx.db);
}

/** The first UTC day whose figures are not yet trusted (see the migration). */
async function completeBefore(ctx: Ctx, lock?: 'share' | 'update'): Promise<Date> {
  const row = (await sql<{ day: string }>`SELECT to_char(complete_before, 'YYYY-MM-DD') AS day FROM daily_figures_state
    ${lock === 'update' ? sql`FOR UPDATE` : lock === 'share' ? sql`FOR SHARE` : sql``}`.execute(ctx.db)).rows[0];
  return row ? new Date(`${row.day}T00:00:00Z`) : new Date(0);
}

/**
 * The timer: once a day has ended, recompute it (and any day since the last run) and trust it.
 * Locks the state row, so a subscriber run that skipped an untrusted day either finished before
 * (and this recompute sees its rows) or waits and then sees the day trusted and recomputes it itself.
 */
export async function closeEndedDays(ctx: Ctx): Promise<number> {
  // Every second on every instance: a plain read first, the lock only once a day.
  if ((await completeBefore(ctx)).getTime() === floorDay(ctx.clock.now()).getTime()) return 0;
  return inTransaction({ ...ctx, actor: null }, async (tx) => {
    const trusted = await completeBefore(tx, 'update');
    const today = floorDay(tx.clock.now());
    if (trusted.getTime() === today.getTime()) return 0;
    // A clock behind the stored day (a test's clock, a skewed instance) only narrows what is trusted.
    if (trusted < today) {
      await sql`SELECT refresh_daily_figures(${isoDay(trusted)}::date, ${isoDay(today)}::date)`.execute(tx.db);
      // The ended day's texts read once more, as it closes: what the subscriber found, or a text it has yet to see.
      await rebuildCompliments(tx.db, { from: isoDay(trusted), to: isoDay(today) });
    }
    await sql`UPDATE daily_figures_state SET complete_before = ${isoDay(today)}::date`.execute(tx.db);
    return 1;
  });
}

/** The subscriber: recompute the trusted days these events changed; later days wait for the timer. */
export async function refreshTouchedDays(ctx: Ctx, events: { type: string; occurredAt: Date; caseId: number | null; customerId: number | null; payload?: Record<string, unknown> }[]): Promise<void> {
  const trusted = isoDay(await completeBefore(ctx, 'share'));
  await refreshDays(ctx, (await daysTouched(ctx, events)).filter((d) => d < trusted));
}

/** Recomputes the given UTC days (yyyy-mm-dd), one refresh per run of consecutive days. */
export async function refreshDays(ctx: Ctx, days: string[]): Promise<void> {
  const sorted = [...new Set(days)].sort();
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && Date.parse(sorted[j + 1]!) - Date.parse(sorted[j]!) === DAY_MS) j++;
    const end = isoDay(new Date(Date.parse(sorted[j]!) + DAY_MS));
    await sql`SELECT refresh_daily_figures(${sorted[i]}::date, ${end}::date)`.execute(ctx.db);
    i = j + 1;
  }
}

/**
 * The UTC days whose figures may have changed with these events, and each event's own day. A row
 * counts on the day of its own moment (a case's opening, a promise's creation, due, kept or broken
 * time, a recovery's opening, an answer's start, an invitation's sending, kudos), so an event about
 * a case touches the moments of that case's rows; and, since a case counts as a repeat by the same
 * customer's other cases within 7 days of its opening, the openings of those. An answer or an
 * invitation names its own row. Only a customer's merge or erasure changes rows across their whole
 * history: then every moment of every row of theirs. (Reading a customer's whole history for every
 * event cost each new case of a customer with thousands a scan of them all, and refreshed days
 * nothing had changed: the demo's played days spent 20 of their 23 s there.)
 */
const BY_CUSTOMER = new Set(['customer.merged', 'customer.erased']);

export async function daysTouched(ctx: Ctx, events: { type: string; occurredAt: Date; caseId: number | null; customerId: number | null; payload?: Record<string, unknown> }[]): Promise<string[]> {
  const days = new Set(events.map((e) => isoDay(e.occurredAt)));
  if (!events.length) return [];
  const ids = (pick: (e: (typeof events)[number]) => unknown) =>
    [...new Set(events.map(pick).filter((id): id is number => typeof id === 'number'))];
  const caseIds = ids((e) => e.caseId);
  const customerIds = ids((e) => (BY_CUSTOMER.has(e.type) ? e.customerId : null));
  // A promise without a case (a loyalty input's action) is broken on one day and counted on the day it fell due.
  const commitmentIds = ids((e) => (e.payload?.commitment as { id?: unknown } | undefined)?.id);
  const responseIds = ids((e) => (e.type === 'survey.answered' ? e.payload?.responseId : null));
  const invitationIds = ids((e) => (e.type === 'survey.invited' ? e.payload?.invitationId : null));
  if (!caseIds.length && !customerIds.length && !commitmentIds.length && !responseIds.length && !invitationIds.length) return [...days];
  // One branch per way a row belongs (each by its own index): a branch of OR-ed conditions, one of
  // them a subquery, is read by scanning the whole table.
  const rows = await sql<{ day: string }>`
    WITH event_cases AS MATERIALIZED (SELECT id, customer_id, opened_at FROM cases WHERE id = ANY(${caseIds}::bigint[])),
      their_cases AS MATERIALIZED (SELECT id, opened_at FROM event_cases UNION SELECT id, opened_at FROM cases WHERE customer_id = ANY(${customerIds}::bigint[])),
      ids AS (SELECT coalesce(array_agg(id), '{}') AS a FROM their_cases),
      moments AS (
        SELECT opened_at AS at FROM their_cases
        UNION ALL SELECT n.opened_at FROM event_cases c JOIN cases n ON n.customer_id = c.customer_id
          AND n.opened_at >= c.opened_at - interval '7 days' AND n.opened_at <= c.opened_at + interval '7 days'
        UNION ALL SELECT unnest(ARRAY[m.created_at, m.due_at, m.kept_at, m.broken_at]) FROM commitments m WHERE m.case_id = ANY((SELECT a FROM ids)::bigint[])
        UNION ALL SELECT unnest(ARRAY[m.created_at, m.due_at, m.kept_at, m.broken_at]) FROM commitments m WHERE m.id = ANY(${commitmentIds}::bigint[])
        UNION ALL SELECT r.opened_at FROM recoveries r WHERE r.case_id = ANY((SELECT a FROM ids)::bigint[])
        UNION ALL SELECT s.started_at FROM survey_responses s WHERE s.case_id = ANY((SELECT a FROM ids)::bigint[])
        UNION ALL SELECT s.started_at FROM survey_responses s WHERE s.recovery_case_id = ANY((SELECT a FROM ids)::bigint[])
        UNION ALL SELECT s.started_at FROM survey_responses s WHERE s.customer_id = ANY(${customerIds}::bigint[])
        UNION ALL SELECT s.started_at FROM survey_responses s WHERE s.id = ANY(${responseIds}::bigint[])
        UNION ALL SELECT i.sent_at FROM survey_invitations i WHERE i.case_id = ANY((SELECT a FROM ids)::bigint[])
        UNION ALL SELECT i.sent_at FROM survey_invitations i WHERE i.customer_id = ANY(${customerIds}::bigint[])
        UNION ALL SELECT i.sent_at FROM survey_invitations i WHERE i.id = ANY(${invitationIds}::bigint[])
        UNION ALL SELECT k.created_at FROM kudos k WHERE k.case_id = ANY((SELECT a FROM ids)::bigint[]))
    SELECT DISTINCT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day FROM moments WHERE at IS NOT NULL`.execute(ctx.db);
  for (const r of rows.rows) days.add(r.day);
  return [...days];
}
