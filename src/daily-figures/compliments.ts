/**
 * Compliments, for the service stars: a survey comment or an inbound customer message that names a
 * staff member (their full name, or the first name of the person it is about: the answer's agent,
 * the case's owner) and reads positive (sentiment > 0). The names and the sentiment are read in
 * Node, so the texts are read once, when they arrive (the `daily-figures.compliments` subscriber),
 * and kept as rows (migrations/0090_compliments.sql); a page counts the rows of its whole trusted
 * days and finds the rest (the partial days at its ends, today) from the raw texts with the same code.
 *
 * Found against every staff member, active or not: a page counts the people it shows. A rename or a
 * new colleague changes what is found in texts from then on; the texts already read keep who they
 * named when they arrived until `rebuildSummaries` reads them again.
 */
import Sentiment from 'sentiment';
import { sql, type RawBuilder } from 'kysely';
import type { Ctx } from '../core/context';

const sentiment = new Sentiment();
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A name as a whole word: no letter right before or after it, any letter case. */
const namePattern = (name: string) => new RegExp(`(?<!\\p{L})${escape(name)}(?!\\p{L})`, 'iu');

export interface Person { id: number; name: string }
export interface Text { source: string; about: number | null; text: string; day: string; caseId: number | null; customerId: number | null }
export interface Compliment { source: string; staffId: number; day: string; caseId: number | null; customerId: number | null }

/** Returns, for a text and who it is about, the people it compliments (none if it names nobody or does not read positive). */
export function complimentFinder(staff: Person[]): (text: string, about: number | null) => number[] {
  // Each name's pattern is compiled once. One alternation of every full name finds where a text
  // names someone at all; only the people whose name starts with the letter found there are then
  // tested (everyone when that letter is not a plain A–Z, so case folding cannot hide a match), and
  // the sentiment is read only for texts that name someone.
  const fullName = new Map(staff.map((s) => [s.id, namePattern(s.name)]));
  const firstName = new Map(staff.map((s) => {
    const first = s.name.split(/\s+/)[0]!;
    return [s.id, first.length >= 2 ? namePattern(first) : null];
  }));
  const byInitial = new Map<string, Person[]>();
  const otherInitial: Person[] = [];
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
  return (text, about) => {
    if (!mayName(text)) return [];
    const named = new Set<number>();
    if (anyFullName) for (const s of candidates(text)) if (fullName.get(s.id)!.test(text)) named.add(s.id);
    if (about !== null && firstName.get(about)?.test(text)) named.add(about);
    if (!named.size || sentiment.analyze(text).score <= 0) return [];
    return [...named];
  };
}

type Db = Pick<Ctx, 'db'>['db'];

/**
 * The texts (survey comments by their start, inbound messages by their arrival, with the case's
 * owner now) that `where` selects: a time range, or the texts of some cases and customers.
 */
async function texts(db: Db, where: { from: Date; to: Date } | { caseIds: number[]; customerIds: number[] }): Promise<Text[]> {
  let answers: RawBuilder<unknown>;
  let messages: RawBuilder<unknown>;
  if ('from' in where) {
    answers = sql`s.started_at >= ${where.from} AND s.started_at < ${where.to}`;
    messages = sql`e.created_at >= ${where.from} AND e.created_at < ${where.to}`;
  } else {
    answers = sql`(s.case_id = ANY(${where.caseIds}::bigint[]) OR s.customer_id = ANY(${where.customerIds}::bigint[]))`;
    messages = sql`e.case_id IN (SELECT unnest(${where.caseIds}::bigint[]) UNION SELECT id FROM cases WHERE customer_id = ANY(${where.customerIds}::bigint[]))`;
  }
  const rows = await sql<{ source: string; about: string | null; text: string; day: string; case_id: string | null; customer_id: string | null }>`
    SELECT 'response:' || s.id AS source, s.agent_id AS about, s.comment AS text, to_char(s.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, s.case_id, s.customer_id
    FROM survey_responses s WHERE s.comment IS NOT NULL AND ${answers}
    UNION ALL
    -- The case by its primary key, one message at a time (OFFSET 0 keeps it so): a join would hash every case.
    SELECT 'entry:' || e.id, c.owner_id, e.body, to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), e.case_id, c.customer_id
    FROM case_entries e LEFT JOIN LATERAL (SELECT c.owner_id, c.customer_id FROM cases c WHERE c.id = e.case_id OFFSET 0) c ON true
    WHERE e.kind = 'inbound_message' AND e.body IS NOT NULL AND ${messages}`.execute(db);
  return rows.rows.map((r) => ({ source: r.source, about: r.about === null ? null : Number(r.about), text: r.text, day: r.day,
    caseId: r.case_id === null ? null : Number(r.case_id), customerId: r.customer_id === null ? null : Number(r.customer_id) }));
}

async function everyone(db: Db): Promise<Person[]> {
  return (await sql<{ id: string; name: string }>`SELECT id, name FROM staff`.execute(db)).rows.map((s) => ({ id: Number(s.id), name: s.name }));
}

function find(staff: Person[], found: Text[]): Compliment[] {
  const compliments = complimentFinder(staff);
  return found.flatMap((t) => compliments(t.text, t.about).map((staffId) => ({ source: t.source, staffId, day: t.day, caseId: t.caseId, customerId: t.customerId })));
}

/** The compliments of a time range from the raw texts, found against `staff`: what the rows say for whole days. */
export async function complimentsIn(db: Db, period: { from: Date; to: Date }, staff?: Person[]): Promise<Compliment[]> {
  const [people, found] = await Promise.all([staff ?? everyone(db), texts(db, period)]);
  return find(people, found);
}

async function store(db: Db, rows: Compliment[]) {
  for (let i = 0; i < rows.length; i += 5_000) {
    const chunk = rows.slice(i, i + 5_000);
    await sql`INSERT INTO compliments (source, staff_id, day, case_id, customer_id)
      SELECT * FROM unnest(${chunk.map((r) => r.source)}::text[], ${chunk.map((r) => r.staffId)}::bigint[], ${chunk.map((r) => r.day)}::date[],
        ${chunk.map((r) => r.caseId)}::bigint[], ${chunk.map((r) => r.customerId)}::bigint[])
      ON CONFLICT DO NOTHING`.execute(db);
  }
}

/** Finds again the compliments in the texts of these cases and customers (a text arrived, an owner changed, an erasure). */
export async function refreshCompliments(db: Db, about: { caseIds: number[]; customerIds: number[] }): Promise<void> {
  const caseIds = [...new Set(about.caseIds)];
  const customerIds = [...new Set(about.customerIds)];
  if (!caseIds.length && !customerIds.length) return;
  const found = await texts(db, { caseIds, customerIds });
  // The customers' cases as one array (an init plan), so both conditions are index look-ups, not a scan of every compliment.
  await sql`DELETE FROM compliments WHERE customer_id = ANY(${customerIds}::bigint[])
    OR case_id = ANY(${caseIds}::bigint[] || ARRAY(SELECT id FROM cases WHERE customer_id = ANY(${customerIds}::bigint[])))`.execute(db);
  // Most events are about cases without a customer's text yet: no names to read then.
  if (found.length) await store(db, find(await everyone(db), found));
}

/** Finds every compliment of the UTC days [from, to) again from the raw texts (all days without a period). */
export async function rebuildCompliments(db: Db, days?: { from: string; to: string }): Promise<void> {
  const from = days?.from ?? '-infinity';
  const to = days?.to ?? 'infinity';
  const span = (await sql<{ lo: Date | null; hi: Date | null }>`SELECT least((SELECT min(started_at) FROM survey_responses WHERE comment IS NOT NULL),
      (SELECT min(created_at) FROM case_entries WHERE kind = 'inbound_message')) AS lo,
    greatest((SELECT max(started_at) FROM survey_responses WHERE comment IS NOT NULL), (SELECT max(created_at) FROM case_entries WHERE kind = 'inbound_message')) AS hi`.execute(db)).rows[0]!;
  await sql`DELETE FROM compliments WHERE day >= ${from}::date AND day < ${to}::date`.execute(db);
  if (!span.lo || !span.hi) return;
  const staff = await everyone(db);
  const DAY = 86_400_000;
  const lo = Math.max(Math.floor(span.lo.getTime() / DAY) * DAY, days ? Date.parse(days.from) : -Infinity);
  const hi = Math.min(span.hi.getTime() + 1, days ? Date.parse(days.to) : Infinity);
  // A month of texts at a time: memory stays flat whatever the history.
  for (let t = lo; t < hi; t += 30 * DAY) {
    await store(db, await complimentsIn(db, { from: new Date(t), to: new Date(Math.min(t + 30 * DAY, hi)) }, staff));
  }
}

const DAY_MS = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Compliments per person over [from, to), for `staff` (the people a page shows): the rows of the
 * whole days that are trusted (closed by the timer) and kept (from compliments_from on), the rest
 * found in the raw texts — so the answer is what the raw texts say, as with the other figures.
 */
export async function complimentsOver(ctx: Ctx, period: { from: Date; to: Date }, staff: Person[]): Promise<Map<number, number>> {
  const { from, to } = period;
  const state = (await sql<{ trusted: string; kept: string }>`SELECT to_char(complete_before, 'YYYY-MM-DD') AS trusted,
    CASE WHEN compliments_from = '-infinity' THEN '0001-01-01' WHEN compliments_from = 'infinity' THEN '9999-12-31' ELSE to_char(compliments_from, 'YYYY-MM-DD') END AS kept
    FROM daily_figures_state`.execute(ctx.db)).rows[0];
  const day = (s: string) => Date.parse(`${s}T00:00:00Z`);
  const lo = Math.max(Math.ceil(from.getTime() / DAY_MS) * DAY_MS, state ? day(state.kept) : Infinity);
  const hi = Math.min(Math.floor(to.getTime() / DAY_MS) * DAY_MS, Math.floor(ctx.clock.now().getTime() / DAY_MS) * DAY_MS, state ? day(state.trusted) : -Infinity);
  const ids = staff.map((s) => s.id);
  const counts = new Map<number, number>();
  const add = (id: number, n: number) => counts.set(id, (counts.get(id) ?? 0) + n);
  const raw = async (p: { from: Date; to: Date }) => {
    if (p.from < p.to) for (const c of await complimentsIn(ctx.db, p, staff)) add(c.staffId, 1);
  };
  if (lo < hi) {
    const [kept] = await Promise.all([
      sql<{ staff_id: string; n: number }>`SELECT staff_id, count(*)::int AS n FROM compliments
        WHERE day >= ${isoDay(new Date(lo))}::date AND day < ${isoDay(new Date(hi))}::date AND staff_id = ANY(${ids}::bigint[]) GROUP BY staff_id`.execute(ctx.db),
      raw({ from, to: new Date(lo) }), raw({ from: new Date(hi), to }),
    ]);
    for (const r of kept.rows) add(Number(r.staff_id), r.n);
  } else {
    await raw({ from, to });
  }
  return counts;
}
