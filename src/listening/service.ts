/**
 * Listening: everything customers write unprompted (inbound messages) and in surveys (comments),
 * read in its own language: sentiment, complaints, themes as phrases, and trends per month,
 * touchpoint and department.
 */
import { sql } from 'kysely';
import type { Ctx } from '../core/context';
import { DAY } from '../core/clock';
import { writeLater } from '../core/db/pipeline';
import { phraseThemes, read, type Language } from './text';

/** Reads one inbound message (once: the event id is its reference). */
export async function readMessage(ctx: Ctx, input: { eventId: number; caseId: number | null; customerId: number | null; body: string; at: Date }) {
  const text = input.body.trim();
  if (!text) return;
  const reading = read(text.slice(0, 20_000));
  // The case's touchpoint and department are read by the insert itself, and the insert rides with the
  // next statement (core/db/pipeline): reading a message costs its subscriber no round trip of its own.
  const ofCase = <C extends 'touchpoint' | 'caused_by_department_id'>(column: C) =>
    ctx.db.selectFrom('cases').select(column).where('id', '=', input.caseId!);
  await writeLater(ctx.db, ctx.db.insertInto('listening_texts').values({
    source: 'message', source_ref: `event:${input.eventId}`, case_id: input.caseId, customer_id: input.customerId,
    touchpoint: input.caseId ? ofCase('touchpoint') : null, department_id: input.caseId ? ofCase('caused_by_department_id') : null,
    text: text.slice(0, 20_000), language: reading.language, sentiment: reading.sentiment, complaint: reading.complaint, at: input.at,
  }).onConflict((oc) => oc.column('source_ref').doNothing()));
}

interface Filter { from?: Date; to?: Date; source?: 'survey' | 'message'; language?: string }

/** Survey comments and inbound messages as one stream of texts. */
function texts(ctx: Ctx, f: Filter) {
  const from = f.from ?? new Date(ctx.clock.now().getTime() - 365 * DAY);
  const to = f.to ?? new Date(ctx.clock.now().getTime() + 1);
  return sql<{ source: string; text: string; language: string; sentiment: number; complaint: boolean; touchpoint: string | null; department: string | null; at: Date }>`
    SELECT * FROM (
      SELECT 'survey' AS source, comment AS text, coalesce(language, 'und') AS language, coalesce(sentiment, 0)::float8 AS sentiment, complaint, touchpoint,
        d.name AS department, started_at AS at
      FROM survey_responses r LEFT JOIN departments d ON d.id = r.department_id WHERE comment IS NOT NULL
      UNION ALL
      SELECT 'message', text, language, sentiment::float8, complaint, touchpoint, d.name, at
      FROM listening_texts t LEFT JOIN departments d ON d.id = t.department_id
    ) x WHERE at >= ${from} AND at < ${to}
      ${f.source ? sql`AND source = ${f.source}` : sql``} ${f.language ? sql`AND language = ${f.language}` : sql``}
    ORDER BY at DESC LIMIT 50000`.execute(ctx.db);
}

export async function listening(ctx: Ctx, f: Filter) {
  const rows = (await texts(ctx, f)).rows;
  const summary = (list: typeof rows) => ({
    texts: list.length, complaints: list.filter((r) => r.complaint).length,
    complaintShare: list.length ? list.filter((r) => r.complaint).length / list.length : null,
    meanSentiment: list.length ? list.reduce((s, r) => s + Number(r.sentiment), 0) / list.length : null,
  });
  const groupBy = (key: (r: (typeof rows)[number]) => string | null) => {
    const groups = new Map<string, typeof rows>();
    for (const r of rows) {
      const k = key(r) ?? '(none)';
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k)!.push(r);
    }
    return [...groups.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([group, list]) => ({ group, ...summary(list) }));
  };
  const languages = [...new Set(rows.map((r) => r.language))].sort();
  return {
    ...summary(rows),
    byLanguage: groupBy((r) => r.language),
    bySource: groupBy((r) => r.source),
    // Themes per language: phrases only mean something among texts in the same language.
    themes: Object.fromEntries(languages.map((l) => [l, phraseThemes(rows.filter((r) => r.language === l).map((r) => ({ text: r.text, language: r.language as Language })), 8)])),
    complaintThemes: phraseThemes(rows.filter((r) => r.complaint).map((r) => ({ text: r.text, language: r.language as Language })), 8),
    trends: {
      month: groupBy((r) => r.at.toISOString().slice(0, 7)),
      touchpoint: groupBy((r) => r.touchpoint),
      department: groupBy((r) => r.department),
    },
    recentComplaints: rows.filter((r) => r.complaint).slice(0, 10).map((r) => ({ source: r.source, language: r.language, text: r.text.slice(0, 300), at: r.at })),
  };
}
