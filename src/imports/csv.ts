/**
 * `kept import csv FILE`: the generic format for any help desk Kept has no reader for, one row
 * per message (see README, "Arriving from another help desk"). Like the Zendesk import it writes
 * the past as it was: customers, cases and their timelines with their own dates, no domain
 * events (so no acknowledgement, survey, recovery, webhook or breach), empty due times. Each
 * ticket is remembered in import_mappings (source 'csv', external id 'csv:<ticket_id>'), so a
 * second run adds only tickets it has not seen. The whole file is decoded and checked before
 * anything is written: an unreadable file changes nothing; a bad row is reported with its line
 * and the other rows still go in. One transaction, a savepoint per ticket.
 */
import fs from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import chardet from 'chardet';
import iconv from 'iconv-lite';
import pg from 'pg';
import type { Progress } from '../backup/tables';

export const CSV_ENCODINGS = ['utf-8', 'latin1', 'windows-1252', 'auto'] as const;
export type CsvEncoding = (typeof CSV_ENCODINGS)[number];
export const CSV_COLUMNS = ['ticket_id', 'subject', 'status', 'priority', 'type', 'channel', 'created_at', 'customer_email', 'customer_name', 'author', 'agent_email', 'body', 'message_created_at', 'tags'] as const;
const REQUIRED = ['ticket_id', 'author', 'body', 'message_created_at'] as const;
const MAX_BYTES = 512 * 1024 * 1024;
const MAX_BODY = 100_000;

export class UnreadableCsv extends Error {}

export interface CsvReport {
  file: string;
  encoding: string;
  rows: number;
  tickets: { imported: number; alreadyImported: number };
  messages: { imported: number; alreadyImported: number };
  customers: { created: number; matched: number };
  rejected: { line: number; ticket: string | null; reason: string }[];
  ignoredColumns: string[];
  seconds: number;
}

const STATUS: Record<string, string> = {
  new: 'new', open: 'open', pending: 'waiting_on_customer', waiting_on_customer: 'waiting_on_customer', hold: 'waiting_on_us', on_hold: 'waiting_on_us',
  waiting_on_us: 'waiting_on_us', solved: 'resolved', resolved: 'resolved', closed: 'closed',
};
const CHANNELS = new Set(['email', 'phone', 'chat', 'web', 'in_person', 'other']);
const CHANNEL_ALIASES: Record<string, string> = { voice: 'phone', call: 'phone', form: 'web', portal: 'web', messaging: 'chat', api: 'other' };
const PRIORITIES = new Set(['low', 'normal', 'high', 'urgent']);
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** ISO 8601 or "YYYY-MM-DD HH:MM[:SS]"; without a zone it is UTC. Nothing ambiguous like 03/04/2025. */
const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
/** The bytes windows-1252 leaves undefined. */
const CP1252_UNDEFINED = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);

export function parseCsvDate(raw: string): Date | null {
  const m = DATE.exec(raw.trim());
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00'] = m;
  const zone = m[7] ? (m[7].toUpperCase() === 'Z' ? 'Z' : m[7].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')) : 'Z';
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${zone}`);
  if (Number.isNaN(date.getTime())) return null;
  if (zone === 'Z' && (date.getUTCMonth() + 1 !== Number(mo) || date.getUTCDate() !== Number(d))) return null; // 2025-02-30
  return date;
}

/** Bytes → text: refuses, naming the byte, anything the encoding cannot hold (never a silent U+FFFD). */
export function decodeCsv(bytes: Buffer, requested: CsvEncoding): { text: string; encoding: string } {
  if (!bytes.length) throw new UnreadableCsv('The file is empty');
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new UnreadableCsv(`This is not a text file: byte ${nul + 1} is a NUL byte`);
  let used: 'utf-8' | 'latin1' | 'windows-1252' = requested === 'auto' ? 'utf-8' : requested;
  let label: string = used;
  if (requested === 'auto') {
    const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      label = bom ? 'utf-8 (byte order mark)' : 'utf-8 (detected)';
    } catch {
      const candidates = chardet.analyse(bytes.subarray(0, 256 * 1024));
      const western = candidates.find((c) => ['ISO-8859-1', 'windows-1252', 'ISO-8859-15'].includes(c.name));
      if (!western) throw new UnreadableCsv(`The file is neither UTF-8 nor Western European (it looks like ${candidates[0]?.name ?? 'binary data'}); re-save it as UTF-8 or name its encoding with --encoding`);
      used = bytes.some((b) => b >= 0x80 && b <= 0x9f) ? 'windows-1252' : 'latin1';
      label = `${used} (detected)`;
    }
  }
  if (used === 'utf-8') {
    try {
      return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes), encoding: label };
    } catch {
      let at = 0;
      // find the first byte that breaks UTF-8, for the message
      for (let n = 1024; at < bytes.length; at += n) {
        try { new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, Math.min(bytes.length, at + n))); } catch { break; }
      }
      throw new UnreadableCsv(`The file is not valid UTF-8 (near byte ${at + 1}); if it was saved as latin1 or windows-1252, say so with --encoding (or --encoding auto)`);
    }
  }
  if (used === 'windows-1252') {
    const bad = bytes.findIndex((b) => CP1252_UNDEFINED.has(b));
    if (bad >= 0) throw new UnreadableCsv(`Byte ${bad + 1} (0x${bytes[bad]!.toString(16)}) has no character in windows-1252; name the file's encoding`);
  }
  return { text: iconv.decode(bytes, used), encoding: label };
}

interface Row { line: number; ticket: string; subject: string; status: string | null; priority: string | null; type: string | null; channel: string | null;
  createdAt: Date | null; customerEmail: string | null; customerName: string | null; author: 'customer' | 'agent'; agentEmail: string | null; body: string; at: Date; tags: string[] }

function readRow(line: number, r: Record<string, string>): Row | string {
  const v = (k: string) => (r[k] ?? '').trim();
  const ticket = v('ticket_id');
  if (!ticket) return 'ticket_id is empty';
  if (ticket.length > 100) return 'ticket_id is longer than 100 characters';
  const author = v('author').toLowerCase();
  if (author !== 'customer' && author !== 'agent') return `author must be customer or agent, not "${v('author').slice(0, 40)}"`;
  const body = r.body ?? '';
  if (!body.trim()) return 'body is empty';
  if (body.length > MAX_BODY) return `body is longer than ${MAX_BODY.toLocaleString('en')} characters`;
  const at = parseCsvDate(v('message_created_at'));
  if (!at) return `message_created_at "${v('message_created_at').slice(0, 40)}" is not a date (use ISO 8601, e.g. 2025-03-04T09:30:00Z)`;
  const createdAt = v('created_at') ? parseCsvDate(v('created_at')) : null;
  if (v('created_at') && !createdAt) return `created_at "${v('created_at').slice(0, 40)}" is not a date (use ISO 8601)`;
  const statusRaw = v('status').toLowerCase().replace(/[\s-]+/g, '_');
  if (statusRaw && !STATUS[statusRaw]) return `status "${v('status').slice(0, 40)}" is not one of ${Object.keys(STATUS).join(', ')}`;
  const priority = v('priority').toLowerCase();
  if (priority && !PRIORITIES.has(priority)) return `priority "${v('priority').slice(0, 40)}" is not low, normal, high or urgent`;
  const channelRaw = v('channel').toLowerCase().replace(/[\s-]+/g, '_');
  const channel = channelRaw ? (CHANNELS.has(channelRaw) ? channelRaw : (CHANNEL_ALIASES[channelRaw] ?? 'other')) : null;
  const customerEmail = v('customer_email').toLowerCase() || null;
  if (customerEmail && (customerEmail.length > 320 || !EMAIL.test(customerEmail))) return `customer_email "${customerEmail.slice(0, 60)}" is not an email address`;
  const agentEmail = v('agent_email').toLowerCase() || null;
  if (agentEmail && (agentEmail.length > 320 || !EMAIL.test(agentEmail))) return `agent_email "${agentEmail.slice(0, 60)}" is not an email address`;
  const type = v('type').toLowerCase().slice(0, 50) || null;
  const tags = v('tags').split(/[\s,;]+/).filter(Boolean).map((t) => t.slice(0, 50)).slice(0, 50);
  return { line, ticket, subject: v('subject').slice(0, 300), status: statusRaw ? STATUS[statusRaw]! : null, priority: priority || null, type, channel, createdAt,
    customerEmail, customerName: v('customer_name').slice(0, 200) || null, author, agentEmail, body, at, tags };
}

/** Decodes and parses the file (nothing written): the rows that fit, grouped by ticket in file order, and the rejected ones. */
export async function readCsvExport(file: string, encoding: CsvEncoding) {
  const stat = await fs.stat(file).catch(() => null);
  if (!stat?.isFile()) throw new UnreadableCsv(`${file} is not a file`);
  if (stat.size > MAX_BYTES) throw new UnreadableCsv(`The file is larger than ${MAX_BYTES / 1048576} MB; split it`);
  const decoded = decodeCsv(await fs.readFile(file), encoding);
  let records: { record: string[]; info: { lines: number }; raw: string }[];
  try {
    records = parse(decoded.text, { bom: true, info: true, raw: true, relax_column_count: true, skip_empty_lines: true, max_record_size: 4 * 1024 * 1024 }) as unknown as typeof records;
  } catch (e) {
    throw new UnreadableCsv(`The file is not readable CSV: ${(e as Error).message}`);
  }
  const [header, ...body] = records;
  if (!header) throw new UnreadableCsv('The file has no header row');
  const names = header.record.map((h) => h.trim().toLowerCase());
  const missing = REQUIRED.filter((c) => !names.includes(c));
  if (missing.length) throw new UnreadableCsv(`The header row lacks ${missing.join(', ')} (columns: ${CSV_COLUMNS.join(', ')})`);
  if (!names.includes('customer_email') && !names.includes('customer_name')) throw new UnreadableCsv('The header row needs customer_email or customer_name');
  const ignoredColumns = names.filter((n) => n && !(CSV_COLUMNS as readonly string[]).includes(n));
  const tickets = new Map<string, Row[]>();
  const rejected: CsvReport['rejected'] = [];
  for (const r of body) {
    const line = r.info.lines - (r.raw.replace(/^[\r\n]+/, '').replace(/\r?\n$/, '').match(/\n/g)?.length ?? 0);
    if (r.record.length !== names.length) {
      rejected.push({ line, ticket: r.record[names.indexOf('ticket_id')]?.trim() || null, reason: `has ${r.record.length} fields where the header has ${names.length}` });
      continue;
    }
    const row = readRow(line, Object.fromEntries(names.map((n, i) => [n, r.record[i]!])));
    if (typeof row === 'string') {
      rejected.push({ line, ticket: r.record[names.indexOf('ticket_id')]?.trim() || null, reason: row });
      continue;
    }
    const list = tickets.get(row.ticket) ?? [];
    list.push(row);
    tickets.set(row.ticket, list);
  }
  return { encoding: decoded.encoding, rows: body.length, tickets, rejected, ignoredColumns };
}

export async function importCsv(url: string, file: string, opts: { ownerEmail?: string; encoding?: CsvEncoding; onProgress?: (p: Progress) => void; now?: Date } = {}): Promise<CsvReport> {
  const started = Date.now();
  const now = opts.now ?? new Date();
  const data = await readCsvExport(file, opts.encoding ?? 'utf-8');
  const report: CsvReport = { file, encoding: data.encoding, rows: data.rows, tickets: { imported: 0, alreadyImported: 0 }, messages: { imported: 0, alreadyImported: 0 },
    customers: { created: 0, matched: 0 }, rejected: data.rejected, ignoredColumns: data.ignoredColumns, seconds: 0 };
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const staffByEmail = new Map((await client.query<{ id: string; email: string }>('SELECT id, lower(email) AS email FROM staff')).rows.map((r) => [r.email, Number(r.id)]));
    const fallback = opts.ownerEmail
      ? staffByEmail.get(opts.ownerEmail.toLowerCase())
      : Number((await client.query<{ id: string }>(`SELECT id FROM staff WHERE role = 'admin' ORDER BY id LIMIT 1`)).rows[0]?.id) || undefined;
    if (!fallback) throw new Error(opts.ownerEmail ? `No staff member has the email ${opts.ownerEmail}` : 'Create an administrator first (kept admin create): imported cases need an owner when the file names none');
    const known = new Set((await client.query<{ external_id: string }>(`SELECT external_id FROM import_mappings WHERE source = 'csv' AND kind = 'ticket'`)).rows.map((r) => r.external_id));
    const customerEmails = new Map((await client.query<{ email: string; customer_id: string }>('SELECT lower(email) AS email, customer_id FROM customer_emails')).rows.map((r) => [r.email, Number(r.customer_id)]));
    const customerByName = new Map<string, number>();
    const seen = new Set<number>();
    const progress: Progress = { phase: 'tables', table: 'tickets', rows: 0, totalRows: data.tickets.size, bytes: 0 };

    await client.query('BEGIN');
    for (const [ticket, rows] of data.tickets) {
      progress.rows += 1;
      opts.onProgress?.(progress);
      if (known.has(`csv:${ticket}`)) {
        report.tickets.alreadyImported += 1;
        report.messages.alreadyImported += rows.length;
        continue;
      }
      const first = <K extends keyof Row>(k: K): Row[K] | null => rows.find((r) => r[k] != null && r[k] !== '')?.[k] ?? null;
      const email = first('customerEmail');
      const name = first('customerName');
      if (!email && !name) {
        for (const r of rows) report.rejected.push({ line: r.line, ticket, reason: `ticket ${ticket} names no customer (customer_email or customer_name) on any row` });
        continue;
      }
      await client.query('SAVEPOINT ticket');
      try {
        const messages = [...rows].sort((a, b) => a.at.getTime() - b.at.getTime() || a.line - b.line);
        const opened = first('createdAt') ?? messages[0]!.at;
        const last = messages[messages.length - 1]!.at;
        let customerId = email ? customerEmails.get(email) : customerByName.get(name!.toLowerCase());
        if (customerId) {
          if (!seen.has(customerId)) report.customers.matched += 1; // a customer Kept had before this run
        } else {
          customerId = Number((await client.query<{ id: string }>(`INSERT INTO customers (name, created_at, updated_at) VALUES ($1, $2, $2) RETURNING id`, [name ?? email, opened])).rows[0]!.id);
          if (email) {
            await client.query('INSERT INTO customer_emails (email, customer_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [email, customerId]);
            customerEmails.set(email, customerId);
          } else customerByName.set(name!.toLowerCase(), customerId);
          report.customers.created += 1;
        }
        seen.add(customerId);
        const status = first('status') ?? 'open';
        const agent = (r: Row) => (r.agentEmail ? staffByEmail.get(r.agentEmail) : undefined);
        const assignee = [...messages].reverse().map(agent).find((id) => id != null);
        const owner = assignee ?? (status === 'new' ? null : fallback);
        const done = status === 'resolved' || status === 'closed';
        const firstAnswer = messages.find((m) => m.author === 'agent');
        const subject = first('subject') || messages[0]!.body.trim().split('\n')[0]!.slice(0, 300) || '(no subject)';
        const tags = [...new Set(rows.flatMap((r) => r.tags))];
        const caseId = Number((await client.query<{ id: string }>(`INSERT INTO cases (subject, customer_id, channel, type, priority, status, owner_id, tags, opened_at, first_responded_at, resolved_at, closed_at, updated_at)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
        [subject, customerId, first('channel') ?? 'other', first('type') ?? 'question', first('priority') ?? 'normal', status, owner, tags, opened,
          firstAnswer?.at ?? null, done ? last : null, status === 'closed' ? last : null, last])).rows[0]!.id);
        await client.query(`INSERT INTO case_entries (case_id, kind, author_id, body, data, created_at) VALUES ($1, 'case_opened', NULL, NULL, $2, $3)`,
          [caseId, JSON.stringify({ imported: 'csv', ticket }), opened]);
        await client.query(`INSERT INTO case_entries (case_id, kind, author_id, body, data, created_at)
          SELECT $1, kind, author, body, jsonb_build_object('imported', 'csv', 'line', line), at FROM unnest($2::text[], $3::bigint[], $4::text[], $5::int[], $6::timestamptz[]) AS u(kind, author, body, line, at)`,
        [caseId, messages.map((m) => (m.author === 'customer' ? 'inbound_message' : 'outbound_reply')), messages.map((m) => (m.author === 'agent' ? (agent(m) ?? null) : null)),
          messages.map((m) => m.body), messages.map((m) => m.line), messages.map((m) => m.at)]);
        await client.query(`INSERT INTO import_mappings (source, kind, external_id, kept_id, imported_at) VALUES ('csv', 'ticket', $1, $2, $3)`, [`csv:${ticket}`, caseId, now]);
        await client.query(`INSERT INTO audit_log (at, actor_id, entity, entity_id, action, before, after) VALUES ($1, NULL, 'case', $2, 'imported', NULL, $3)`,
          [now, caseId, JSON.stringify({ source: 'csv', ticket })]);
        await client.query('RELEASE SAVEPOINT ticket');
        report.tickets.imported += 1;
        report.messages.imported += messages.length;
      } catch (e) {
        await client.query('ROLLBACK TO SAVEPOINT ticket');
        for (const r of rows) report.rejected.push({ line: r.line, ticket, reason: `the database refused ticket ${ticket}: ${(e as Error).message}` });
      }
    }
    await client.query('COMMIT');
    report.rejected.sort((a, b) => a.line - b.line);
    opts.onProgress?.({ phase: 'done', rows: data.tickets.size, totalRows: data.tickets.size, bytes: 0 });
    report.seconds = (Date.now() - started) / 1000;
    return report;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    await client.end();
  }
}
