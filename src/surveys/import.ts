/**
 * Importing answers from real files. The body streams through: bytes are checked and decoded in
 * the encoding asked for (or the one detected, which the report names), never turning a byte
 * into U+FFFD silently; csv-parse reads records as they arrive; good rows are written in batches
 * inside one transaction, so a file that turns out unreadable half-way stores nothing. Every row
 * is checked like any other input against its question's own scale; bad rows are reported with
 * their row number (as a spreadsheet shows it: the header is row 1), column and value.
 */
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import chardet from 'chardet';
import iconv from 'iconv-lite';
import { sql } from 'kysely';
import type { Ctx } from '../core/context';
import { inTransaction } from '../core/context';
import { DomainError, Invalid } from '../core/errors';
import { read } from '../listening/text';
import { getSurvey } from './service';
import { keyOf, scaleOf, standardColumns, STANDARD, type Question } from './questions';

/** The largest file one import takes; larger files are split. */
export const IMPORT_LIMIT_BYTES = 256 * 1024 * 1024;
export const ENCODINGS = ['auto', 'utf-8', 'latin1', 'windows-1252'] as const;
export type Encoding = (typeof ENCODINGS)[number];
export const DATE_FORMATS = ['iso', 'YYYY-MM-DD', 'DD/MM/YYYY', 'MM/DD/YYYY', 'DD.MM.YYYY', 'DD/MM/YYYY HH:mm', 'YYYY-MM-DD HH:mm'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];
/** Values that mean "no answer". */
const MISSING = new Set(['', 'na', 'n/a', 'null', 'nan', '#n/a']);
const BATCH = 1_000;
const REPORTED = 1_000;

export interface ImportMapping {
  /** CSV column → question key */
  columns: { column: string; question: string; required?: boolean }[];
  customer?: string; ref?: string; date?: string; dateFormat?: DateFormat; segment?: string;
  /** CSV column → attribute name */
  attributes?: { column: string; name: string }[];
  encoding?: Encoding; delimiter?: 'auto' | ',' | ';' | '\t' | '|'; dryRun?: boolean;
}

export interface Rejected { line: number; field: string; value: string; rule: string; message: string }

export class TooLarge extends DomainError {
  constructor() {
    super(413, 'Payload too large', `An import takes at most ${IMPORT_LIMIT_BYTES / 1024 / 1024} MB; split the file`);
  }
}

/** Parses "CSV name:question" (the CSV name may itself contain colons: the last one separates). */
export function parsePairs(values: string | string[] | undefined, field: string): { column: string; target: string }[] {
  return [values ?? []].flat().map((v) => {
    const at = v.lastIndexOf(':');
    if (at <= 0 || at === v.length - 1) throw new Invalid(field, 'pair', `"${v}" is not CSV_COLUMN:NAME`);
    return { column: v.slice(0, at), target: v.slice(at + 1) };
  });
}

/** Checks the mapping against the survey before a byte of the file is read. */
function checkMapping(questions: Question[], m: ImportMapping) {
  if (!m.columns.length) throw new Invalid('query.column', 'required', 'Map at least one column to a question: column=CSV_COLUMN:QUESTION');
  const byKey = new Map(questions.map((q) => [keyOf(q), q]));
  const seen = new Set<string>();
  for (const c of m.columns) {
    if (!byKey.has(c.question)) throw new Invalid('query.column', 'question', `The survey has no question "${c.question}"; it has ${[...byKey.keys()].join(', ')}`);
    if (seen.has(c.question)) throw new Invalid('query.column', 'unique', `Two columns are mapped to "${c.question}"`);
    seen.add(c.question);
  }
  if (m.dateFormat && !m.date) throw new Invalid('query.dateFormat', 'dateColumn', 'A date format needs a dateColumn');
  return byKey;
}

/** Reads a CSV value for a question: a number on its scale, one of its choices, or text. */
function valueFor(q: Question, raw: string): { value: unknown } | { rule: string; message: string } {
  const scale = scaleOf(q);
  if (scale) {
    const t = raw.trim();
    if (!/^-?\d+([.,]0+)?$/.test(t)) return { rule: 'number', message: `a whole number from ${scale.min} to ${scale.max}` };
    const n = Number(t.replace(',', '.'));
    if (n < scale.min || n > scale.max) return { rule: 'scale', message: `outside the scale ${scale.min}–${scale.max}` };
    return { value: n };
  }
  const choices = STANDARD[q.kind].choices;
  if (choices) {
    const t = raw.trim().toLowerCase();
    if (!choices.includes(t)) return { rule: 'choice', message: `one of ${choices.join(', ')}` };
    return { value: t };
  }
  if (raw.length > 10_000) return { rule: 'max', message: 'at most 10,000 characters' };
  return { value: raw.trim() };
}

const DATE_PATTERNS: Record<Exclude<DateFormat, 'iso'>, RegExp> = {
  'YYYY-MM-DD': /^(?<y>\d{4})-(?<m>\d{2})-(?<d>\d{2})$/,
  'DD/MM/YYYY': /^(?<d>\d{2})\/(?<m>\d{2})\/(?<y>\d{4})$/,
  'MM/DD/YYYY': /^(?<m>\d{2})\/(?<d>\d{2})\/(?<y>\d{4})$/,
  'DD.MM.YYYY': /^(?<d>\d{2})\.(?<m>\d{2})\.(?<y>\d{4})$/,
  'DD/MM/YYYY HH:mm': /^(?<d>\d{2})\/(?<m>\d{2})\/(?<y>\d{4}) (?<h>\d{2}):(?<i>\d{2})$/,
  'YYYY-MM-DD HH:mm': /^(?<y>\d{4})-(?<m>\d{2})-(?<d>\d{2})[ T](?<h>\d{2}):(?<i>\d{2})$/,
};

/** A date in exactly the stated format (UTC), or null: no guessing between day and month. */
export function parseDate(raw: string, format: DateFormat): Date | null {
  const t = raw.trim();
  if (format === 'iso') {
    if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(t)) return null;
    const d = new Date(/[T ]/.test(t) && !/(Z|[+-]\d{2}:?\d{2})$/.test(t) ? `${t.replace(' ', 'T')}Z` : t.length === 10 ? `${t}T00:00:00Z` : t.replace(' ', 'T'));
    return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== t.slice(0, 10) && t.length === 10 ? null : d;
  }
  const g = DATE_PATTERNS[format].exec(t)?.groups;
  if (!g) return null;
  const [y, m, d, h, i] = [g.y, g.m, g.d, g.h ?? '0', g.i ?? '0'].map(Number) as [number, number, number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d, h, i));
  // 31/02/2026 is not a date, and must not become 3 March.
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d || h > 23 || i > 59) return null;
  return date;
}

interface Decoding { requested: Encoding; used: 'utf-8' | 'latin1' | 'windows-1252'; detected: string | null; confidence: number | null }

/** The bytes windows-1252 leaves undefined: a file using it that has them is not windows-1252. */
const CP1252_UNDEFINED = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);

function chooseEncoding(sample: Buffer, requested: Encoding): Decoding {
  if (requested !== 'auto') return { requested, used: requested, detected: null, confidence: null };
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return { requested, used: 'utf-8', detected: 'UTF-8 (byte order mark)', confidence: 100 };
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return { requested, used: 'utf-8', detected: /[\x80-\xff]/.test(sample.toString('latin1')) ? 'UTF-8' : 'ASCII', confidence: 100 };
  } catch { /* not UTF-8: a single-byte encoding */ }
  const candidates = chardet.analyse(sample);
  const western = candidates.find((c) => ['ISO-8859-1', 'windows-1252', 'ISO-8859-15'].includes(c.name));
  if (!western) {
    throw new Invalid('query.encoding', 'encoding', `The file is neither UTF-8 nor Western European (it looks like ${candidates[0]?.name ?? 'binary data'}); re-save it as UTF-8 or name its encoding: ${ENCODINGS.join(', ')}`);
  }
  const c1 = [...sample].some((b) => b >= 0x80 && b <= 0x9f);
  return { requested, used: c1 ? 'windows-1252' : 'latin1', detected: western.name, confidence: western.confidence };
}

/** Bytes → text in the chosen encoding; refuses (with the byte's offset) what the encoding cannot hold. */
class Decode extends Transform {
  private offset = 0;
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });
  private readonly single?: ReturnType<typeof iconv.getDecoder>;
  constructor(private readonly enc: Decoding) {
    super({ readableObjectMode: false, decodeStrings: true });
    if (enc.used !== 'utf-8') this.single = iconv.getDecoder(enc.used === 'latin1' ? 'latin1' : 'windows-1252');
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, done: TransformCallback) {
    const nul = chunk.indexOf(0);
    if (nul >= 0) return done(new Invalid('body', 'text', `This is not a text file: byte ${this.offset + nul + 1} is a NUL byte`));
    if (this.enc.used === 'windows-1252') {
      const bad = chunk.findIndex((b) => CP1252_UNDEFINED.has(b));
      if (bad >= 0) return done(new Invalid('query.encoding', 'encoding', `Byte ${this.offset + bad + 1} (0x${chunk[bad]!.toString(16)}) has no character in windows-1252; name the file's encoding`));
    }
    let text: string;
    try {
      text = this.single ? this.single.write(chunk) : this.utf8.decode(chunk, { stream: true });
    } catch {
      return done(new Invalid('query.encoding', 'encoding', `The file is not valid UTF-8 (near byte ${this.offset + 1}); it may be latin1 or windows-1252: say so with encoding=`));
    }
    this.offset += chunk.length;
    done(null, text);
  }
  override _flush(done: TransformCallback) {
    try {
      done(null, this.single ? this.single.end() ?? '' : this.utf8.decode());
    } catch {
      done(new Invalid('query.encoding', 'encoding', 'The file ends in the middle of a UTF-8 character'));
    }
  }
}

/** Reads the first bytes (for detection) and gives back a stream that still starts with them. */
async function sniff(body: Readable, bytes = 64 * 1024): Promise<{ sample: Buffer; stream: Readable }> {
  const chunks: Buffer[] = [];
  let size = 0;
  const it = body[Symbol.asyncIterator]();
  let done = false;
  while (size < bytes) {
    const next = await it.next();
    if (next.done) { done = true; break; }
    const b = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value as string);
    chunks.push(b);
    size += b.length;
  }
  const sample = Buffer.concat(chunks);
  async function* rest() {
    yield sample;
    if (done) return;
    for (let n = await it.next(); !n.done; n = await it.next()) yield n.value as Buffer;
  }
  return { sample, stream: Readable.from(rest(), { objectMode: false }) };
}

function guessDelimiter(sample: Buffer): ',' | ';' | '\t' | '|' {
  const firstLine = sample.toString('latin1').split(/\r?\n/, 1)[0] ?? '';
  const counts = ([',', ';', '\t', '|'] as const).map((d) => [d, firstLine.split(d).length - 1] as const);
  return counts.reduce((a, b) => (b[1] > a[1] ? b : a))[0];
}

class Limit extends Transform {
  private size = 0;
  override _transform(chunk: Buffer, _e: BufferEncoding, done: TransformCallback) {
    this.size += chunk.length;
    if (this.size > IMPORT_LIMIT_BYTES) return done(new TooLarge());
    done(null, chunk);
  }
}

export class DryRun extends Error {}

/**
 * A CSV body made ready to read: size limit, binary check, encoding chosen (or detected),
 * delimiter; `read` pipes the records, decoded, to `consume` and turns parse errors into 422s.
 */
export async function openCsv(body: Readable | string | Buffer, o: { encoding?: Encoding; delimiter?: ImportMapping['delimiter'] }) {
  const source = typeof body === 'string' || Buffer.isBuffer(body) ? Readable.from([Buffer.from(body)]) : body;
  const { sample, stream } = await sniff(source.pipe(new Limit()));
  if (!sample.length) throw new Invalid('body', 'required', 'The file is empty');
  if (sample.includes(0)) throw new Invalid('body', 'text', 'This is not a text file (it contains NUL bytes): send the CSV itself');
  const encoding = chooseEncoding(sample, o.encoding ?? 'auto');
  const delimiter = !o.delimiter || o.delimiter === 'auto' ? guessDelimiter(sample) : o.delimiter;
  return {
    encoding, delimiter,
    async read(consume: (records: AsyncIterable<Record<string, string>>) => AsyncGenerator<string>) {
      const parser = parse({ columns: (h: string[]) => h.map((c) => c.trim()), bom: true, delimiter, relax_column_count: true, skip_empty_lines: true, trim: false, max_record_size: 1024 * 1024 });
      try {
        await pipeline(stream, new Decode(encoding), parser, consume);
      } catch (e) {
        if (e instanceof DomainError) throw e;
        const code = (e as { code?: string }).code ?? '';
        if (code.startsWith('CSV_')) throw new Invalid('body', 'csv', `The file is not readable CSV: ${(e as Error).message}`);
        throw e;
      }
    },
  };
}

export async function importResponses(ctx: Ctx, surveyId: number, body: Readable | string | Buffer, mapping: ImportMapping) {
  const survey = await getSurvey(ctx, surveyId);
  const byKey = checkMapping(survey.questions, mapping);
  const csv = await openCsv(body, mapping);
  const { encoding, delimiter } = csv;

  const report = {
    surveyId, dryRun: !!mapping.dryRun, encoding, delimiter, limitBytes: IMPORT_LIMIT_BYTES,
    rows: 0, imported: 0, unchanged: 0, rejectedRows: 0, rejected: [] as Rejected[],
    missing: Object.fromEntries(mapping.columns.map((c) => [c.question, 0])) as Record<string, number>,
    refsRepeatedInFile: 0, customersMatched: 0, customersUnknown: 0, preview: [] as Record<string, unknown>[],
  };
  const reject = (r: Rejected) => { if (report.rejected.length < REPORTED) report.rejected.push(r); };

  const run = async (tx: Ctx) => {
    // One import of a survey at a time: references seen by one are seen by the next.
    await sql`SELECT pg_advisory_xact_lock(hashtext('survey-import'), ${surveyId}::int)`.execute(tx.db);
    let headersChecked = false;
    const seenRefs = new Set<string>();
    // The references this survey already has, read once: answers imported by this very run are not
    // "already imported" (a reference may repeat in a file), and a lookup per batch inside a long
    // transaction lets the planner scan ever more rows (quadratic on a million-row file).
    const existing = new Set<string>();
    if (mapping.ref) {
      for (const r of await tx.db.selectFrom('survey_responses').select('external_ref').where('survey_id', '=', surveyId).where('external_ref', 'is not', null).execute()) existing.add(r.external_ref!);
    }
    let batch: { line: number; ref: string | null; customer: string | null; values: Record<string, unknown>; at: Date; segment: string | null; attributes: Record<string, string> }[] = [];

    const flush = async () => {
      if (!batch.length) return;
      const rows = batch;
      batch = [];
      const fresh = rows.filter((r) => !r.ref || !existing.has(r.ref));
      report.unchanged += rows.length - fresh.length;
      const customers = new Map<string, number>();
      const wanted = [...new Set(fresh.map((r) => r.customer).filter((c): c is string => !!c))];
      const emails = wanted.filter((c) => c.includes('@')).map((c) => c.toLowerCase());
      const ids = wanted.filter((c) => /^\d{1,15}$/.test(c)).map(Number);
      if (emails.length) for (const e of await tx.db.selectFrom('customer_emails').select(['email', 'customer_id']).where('email', 'in', emails).execute()) customers.set(e.email, e.customer_id);
      if (ids.length) for (const c of await tx.db.selectFrom('customers').select('id').where('id', 'in', ids).execute()) customers.set(String(c.id), c.id);
      if (!fresh.length) return;
      const values = fresh.map((r) => {
        const customerId = r.customer ? customers.get(r.customer.includes('@') ? r.customer.toLowerCase() : r.customer) ?? null : null;
        if (r.customer) { if (customerId) report.customersMatched += 1; else report.customersUnknown += 1; }
        const { comment, ...standard } = standardColumns(survey.questions, r.values);
        const reading = comment ? read(comment) : null;
        return {
          survey_id: surveyId, external_ref: r.ref, customer_id: customerId, answers: JSON.stringify(r.values), ...standard, comment,
          complaint: !!reading?.complaint, language: reading?.language ?? null, sentiment: reading?.sentiment ?? null,
          segment: r.segment, attributes: JSON.stringify(r.attributes), started_at: r.at, updated_at: r.at, completed_at: r.at, imported: true,
        };
      });
      await tx.db.insertInto('survey_responses').values(values).execute();
      report.imported += values.length;
    };

    const consume = async function* (records: AsyncIterable<Record<string, string>>) {
      for await (const record of records) {
        report.rows += 1;
        const line = report.rows + 1; // the header is row 1
        if (!headersChecked) {
          headersChecked = true;
          const headers = Object.keys(record);
          const named = [...mapping.columns.map((c) => ['query.column', c.column] as const), ...(mapping.attributes ?? []).map((a) => ['query.attribute', a.column] as const),
            ...(['customer', 'ref', 'date', 'segment'] as const).filter((k) => mapping[k]).map((k) => [`query.${k}Column`, mapping[k]!] as const)];
          for (const [field, column] of named) {
            if (!headers.includes(column)) throw new Invalid(field, 'column', `There is no column "${column}"; the file has ${headers.slice(0, 40).join(', ')}`);
          }
        }
        const values: Record<string, unknown> = {};
        let bad = false;
        for (const c of mapping.columns) {
          const raw = record[c.column] ?? '';
          if (MISSING.has(raw.trim().toLowerCase())) {
            report.missing[c.question]! += 1;
            if (c.required) { reject({ line, field: c.column, value: raw, rule: 'required', message: 'an answer is required in this column' }); bad = true; }
            continue;
          }
          const v = valueFor(byKey.get(c.question)!, raw);
          if ('rule' in v) { reject({ line, field: c.column, value: raw.slice(0, 200), rule: v.rule, message: v.message }); bad = true; } else values[c.question] = v.value;
        }
        let at = ctx.clock.now();
        if (mapping.date) {
          const raw = record[mapping.date] ?? '';
          const d = parseDate(raw, mapping.dateFormat ?? 'iso');
          if (!d) { reject({ line, field: mapping.date, value: raw.slice(0, 200), rule: 'date', message: `a date written ${mapping.dateFormat ?? 'iso'} (e.g. 2026-05-31)` }); bad = true; } else at = d;
        }
        const refRaw = mapping.ref ? (record[mapping.ref] ?? '').trim() : '';
        if (refRaw.length > 200) { reject({ line, field: mapping.ref!, value: refRaw.slice(0, 200), rule: 'max', message: 'at most 200 characters' }); bad = true; }
        if (!bad && !Object.keys(values).length) { reject({ line, field: mapping.columns[0]!.column, value: '', rule: 'empty', message: 'no answer in any mapped column' }); bad = true; }
        if (bad) { report.rejectedRows += 1; continue; }
        const ref = refRaw || null;
        // A reference repeated inside one file is kept (some exports carry a customer id there) but
        // reported; only references already imported before make a row "unchanged".
        if (ref && seenRefs.has(ref)) report.refsRepeatedInFile += 1;
        if (ref) seenRefs.add(ref);
        const attributes: Record<string, string> = {};
        for (const a of mapping.attributes ?? []) { const v = (record[a.column] ?? '').trim(); if (!MISSING.has(v.toLowerCase())) attributes[a.name] = v.slice(0, 200); }
        const seg = mapping.segment ? (record[mapping.segment] ?? '').trim() : '';
        const row = { line, ref, customer: mapping.customer ? (record[mapping.customer] ?? '').trim() || null : null, values, at, segment: seg && !MISSING.has(seg.toLowerCase()) ? seg.slice(0, 100) : null, attributes };
        if (report.preview.length < 5) report.preview.push({ line, ...values, ...(ref ? { ref } : {}), at: at.toISOString() });
        batch.push(row);
        if (batch.length >= BATCH) await flush();
      }
      await flush();
      yield '';
    };
    await csv.read(consume);
    if (!report.rows) throw new Invalid('body', 'csv', 'The file has a header but no rows');
    if (mapping.dryRun) throw new DryRun();
  };
  try {
    await inTransaction(ctx, run);
  } catch (e) {
    if (!(e instanceof DryRun)) throw e;
  }
  // A big import changes the table faster than autovacuum notices: until it does, the planner
  // takes a million new answers for a few hundred (drivers over them took 4 s instead of 1 s).
  if (report.imported >= ANALYZE_AFTER) await sql`ANALYZE survey_responses`.execute(ctx.db);
  return report;
}

/** Imported rows from which the answers' statistics are refreshed at once. */
const ANALYZE_AFTER = 10_000;
