/**
 * Importing historical answers from CSV. Every row is checked like any other input; good rows
 * are imported, bad rows are reported with their line, the field and the rule they broke.
 */
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import type { Ctx } from '../core/context';
import { inTransaction } from '../core/context';
import { Invalid } from '../core/errors';
import { getSurvey } from './service';

export interface ImportMapping { score: string; comment?: string; ref?: string; date?: string }

const Row = (m: ImportMapping) => z.object({
  [m.score]: z.string().trim().regex(/^(10|[0-9])$/, 'a whole number from 0 to 10'),
  ...(m.comment ? { [m.comment]: z.string().max(10_000).optional() } : {}),
  ...(m.ref ? { [m.ref]: z.string().max(200).optional() } : {}),
  ...(m.date ? { [m.date]: z.string().max(100).refine((s) => !Number.isNaN(Date.parse(s)), 'a date such as 2026-05-31') } : {}),
});

export async function importResponses(ctx: Ctx, surveyId: number, csv: string, mapping: ImportMapping) {
  await getSurvey(ctx, surveyId);
  let records: Record<string, string>[];
  try {
    records = parse(csv, { columns: true, skip_empty_lines: true, bom: true, relax_column_count: true, trim: false });
  } catch (e) {
    throw new Invalid('body', 'csv', `The file is not readable CSV: ${(e as Error).message}`);
  }
  const headers = records[0] ? Object.keys(records[0]) : [];
  for (const [what, column] of Object.entries(mapping)) {
    if (column && records.length && !headers.includes(column)) throw new Invalid(`query.${what}Column`, 'column', `There is no column "${column}"; the file has ${headers.join(', ')}`);
  }
  const schema = Row(mapping);
  const rejected: { line: number; field: string; rule: string; message: string }[] = [];
  const good: { line: number; score: number; comment: string | null; ref: string | null; at: Date }[] = [];
  records.forEach((record, i) => {
    const line = i + 2; // the header is line 1
    const parsed = schema.safeParse(record);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) rejected.push({ line, field: String(issue.path[0] ?? ''), rule: issue.code, message: issue.message });
      return;
    }
    const r = parsed.data as Record<string, string | undefined>;
    good.push({
      line, score: Number(r[mapping.score]), comment: mapping.comment ? (r[mapping.comment]?.trim() || null) : null,
      ref: mapping.ref ? r[mapping.ref] ?? null : null, at: mapping.date && r[mapping.date] ? new Date(r[mapping.date]!) : ctx.clock.now(),
    });
  });
  await inTransaction(ctx, async (tx) => {
    for (let i = 0; i < good.length; i += 500) {
      await tx.db.insertInto('survey_responses').values(good.slice(i, i + 500).map((g) => ({
        survey_id: surveyId, external_ref: g.ref, answers: JSON.stringify({ nps: g.score, comment: g.comment }), nps: g.score, comment: g.comment,
        started_at: g.at, updated_at: g.at, completed_at: g.at, imported: true,
      }))).execute();
    }
  });
  return { rows: records.length, imported: good.length, rejected };
}
