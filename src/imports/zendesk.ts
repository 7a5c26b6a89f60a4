/**
 * `kept import zendesk DIR`: a Zendesk export becomes customers, cases and their timelines with
 * their own dates and history. Imported history is the past: it publishes no domain events, so
 * no acknowledgement, survey, recovery, webhook or breach follows from it, and service-standard
 * due times stay empty. Each user, ticket and rating is remembered in import_mappings, so a
 * second run adds only what is new. Tickets go in batches, one transaction each.
 */
import parsePhoneNumber from 'libphonenumber-js';
import pg from 'pg';
import type { Progress } from '../backup/tables';
import { readZendeskExport, type Comment, type Ticket } from './zendesk-format';

const BATCH = 500;

export interface ImportReport {
  customers: { created: number; matched: number };
  tickets: { imported: number; alreadyImported: number };
  comments: number;
  ratings: { imported: number; alreadyImported: number; withoutTicket: number };
  rejected: { file: string; index: number; reason: string }[];
  seconds: number;
}

const STATUS: Record<string, string> = { new: 'new', open: 'open', pending: 'waiting_on_customer', hold: 'waiting_on_us', solved: 'resolved', closed: 'closed' };
const CHANNEL: Record<string, string> = { email: 'email', web: 'web', chat: 'chat', native_messaging: 'chat', voice: 'phone', phone: 'phone', api: 'other', mobile: 'other' };
const PRIORITY = new Set(['low', 'normal', 'high', 'urgent']);

export async function importZendesk(url: string, dir: string, opts: { ownerEmail?: string; onProgress?: (p: Progress) => void; now?: Date } = {}): Promise<ImportReport> {
  const started = Date.now();
  const now = opts.now ?? new Date();
  const data = await readZendeskExport(dir);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const report: ImportReport = { customers: { created: 0, matched: 0 }, tickets: { imported: 0, alreadyImported: 0 }, comments: 0, ratings: { imported: 0, alreadyImported: 0, withoutTicket: 0 }, rejected: data.rejected, seconds: 0 };
  try {
    const staffByEmail = new Map((await client.query<{ id: string; email: string }>('SELECT id, lower(email) AS email FROM staff')).rows.map((r) => [r.email, Number(r.id)]));
    const fallback = opts.ownerEmail
      ? staffByEmail.get(opts.ownerEmail.toLowerCase())
      : Number((await client.query<{ id: string }>(`SELECT id FROM staff WHERE role = 'admin' AND active ORDER BY id LIMIT 1`).catch(() => client.query<{ id: string }>(`SELECT id FROM staff WHERE role = 'admin' ORDER BY id LIMIT 1`))).rows[0]?.id) || undefined;
    if (!fallback) throw new Error(opts.ownerEmail ? `No staff member has the email ${opts.ownerEmail}` : 'Create an administrator first (kept admin create): imported cases need an owner when Zendesk has none');
    const teams = new Map((await client.query<{ id: string; name: string }>('SELECT id, lower(name) AS name FROM teams')).rows.map((r) => [r.name, Number(r.id)]));
    const mapped = new Map<string, number>();
    for (const r of (await client.query<{ kind: string; external_id: string; kept_id: string }>(`SELECT kind, external_id, kept_id FROM import_mappings WHERE source = 'zendesk'`)).rows) mapped.set(`${r.kind}:${r.external_id}`, Number(r.kept_id));

    // People: end-users become customers (matched by email when Kept knows them), agents are matched to staff by email.
    const users = new Map(data.users.map((u) => [u.id, u]));
    const agentStaff = (id: number | null | undefined) => {
      const u = id == null ? undefined : users.get(id);
      return u && u.role !== 'end-user' && u.email ? staffByEmail.get(u.email.toLowerCase()) : undefined;
    };
    const customerEmails = new Map((await client.query<{ email: string; customer_id: string }>('SELECT lower(email) AS email, customer_id FROM customer_emails')).rows.map((r) => [r.email, Number(r.customer_id)]));
    const customerOf = new Map<number, number>();
    await client.query('BEGIN');
    const ensureCustomer = async (userId: number): Promise<number> => {
      const known = mapped.get(`user:${userId}`) ?? customerOf.get(userId);
      if (known) return known;
      const u = users.get(userId);
      const email = u?.email?.toLowerCase();
      let id = email ? customerEmails.get(email) : undefined;
      if (id) report.customers.matched += 1;
      else {
        const at = u?.created_at ?? now.toISOString();
        id = Number((await client.query<{ id: string }>(`INSERT INTO customers (name, segment, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id`,
          [(u?.name?.trim() || email || `Zendesk user ${userId}`).slice(0, 200), u?.organization_id ? (data.organizations.get(u.organization_id) ?? null) : null, at])).rows[0]!.id);
        if (email) {
          await client.query('INSERT INTO customer_emails (email, customer_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [email, id]);
          customerEmails.set(email, id);
        }
        const phone = u?.phone ? parsePhoneNumber(u.phone, 'US')?.number : undefined;
        if (phone) await client.query('INSERT INTO customer_phones (phone, customer_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [phone, id]);
        report.customers.created += 1;
      }
      await client.query(`INSERT INTO import_mappings (source, kind, external_id, kept_id, imported_at) VALUES ('zendesk', 'user', $1, $2, $3) ON CONFLICT DO NOTHING`, [String(userId), id, now]);
      customerOf.set(userId, id);
      return id;
    };
    for (const u of data.users) if (u.role === 'end-user') await ensureCustomer(u.id);
    await client.query('COMMIT');

    const todo = data.tickets.filter((t) => !mapped.has(`ticket:${t.id}`));
    report.tickets.alreadyImported = data.tickets.length - todo.length;
    const progress: Progress = { phase: 'tables', table: 'tickets', rows: 0, totalRows: todo.length, bytes: 0 };
    for (let i = 0; i < todo.length; i += BATCH) {
      await client.query('BEGIN');
      try {
        await importBatch(client, todo.slice(i, i + BATCH), { ensureCustomer, agentStaff, fallback, teams, data, report, now, users });
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK');
        throw e;
      }
      progress.rows = Math.min(todo.length, i + BATCH);
      opts.onProgress?.(progress);
    }

    // Satisfaction ratings: a tag and a note on the case (the score as Zendesk asked it: good or bad).
    await client.query('BEGIN');
    const ticketCases = new Map((await client.query<{ external_id: string; kept_id: string }>(`SELECT external_id, kept_id FROM import_mappings WHERE source = 'zendesk' AND kind = 'ticket'`)).rows.map((r) => [Number(r.external_id), Number(r.kept_id)]));
    for (const r of data.ratings) {
      if (!['good', 'bad'].includes(r.score)) continue; // offered or unoffered: nobody answered
      if (mapped.has(`rating:${r.id}`)) { report.ratings.alreadyImported += 1; continue; }
      const caseId = ticketCases.get(r.ticket_id);
      if (!caseId) { report.ratings.withoutTicket += 1; continue; }
      await client.query(`UPDATE cases SET tags = array_append(tags, $2) WHERE id = $1 AND NOT ($2 = ANY(tags))`, [caseId, `zendesk-csat-${r.score}`]);
      await client.query(`INSERT INTO case_entries (case_id, kind, body, data, created_at) VALUES ($1, 'internal_note', $2, $3, $4)`,
        [caseId, `Zendesk satisfaction rating: ${r.score}${r.comment ? ` — "${r.comment}"` : ''}`, JSON.stringify({ imported: 'zendesk', rating: r.score }), r.created_at]);
      await client.query(`INSERT INTO import_mappings (source, kind, external_id, kept_id, imported_at) VALUES ('zendesk', 'rating', $1, $2, $3)`, [String(r.id), caseId, now]);
      report.ratings.imported += 1;
    }
    await client.query('COMMIT');
    opts.onProgress?.({ phase: 'done', rows: todo.length, totalRows: todo.length, bytes: 0 });
    report.seconds = (Date.now() - started) / 1000;
    return report;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    await client.end();
  }
}

interface BatchDeps {
  ensureCustomer(userId: number): Promise<number>;
  agentStaff(userId: number | null | undefined): number | undefined;
  fallback: number;
  teams: Map<string, number>;
  data: Awaited<ReturnType<typeof readZendeskExport>>;
  users: Map<number, { role: string }>;
  report: ImportReport;
  now: Date;
}

async function importBatch(client: pg.Client, tickets: Ticket[], d: BatchDeps) {
  const ids = (await client.query<{ id: string }>(`SELECT nextval(pg_get_serial_sequence('cases', 'id')) AS id FROM generate_series(1, $1)`, [tickets.length])).rows.map((r) => Number(r.id));
  const cols: Record<string, unknown[]> = { id: [], subject: [], customer: [], channel: [], type: [], priority: [], status: [], owner: [], team: [], tags: [], opened: [], responded: [], resolved: [], closed: [], updated: [] };
  const entries: { caseId: number; kind: string; author: number | null; body: string | null; data: string; at: string }[] = [];
  for (const [n, t] of tickets.entries()) {
    const caseId = ids[n]!;
    const customerId = await d.ensureCustomer(t.requester_id);
    const status = STATUS[t.status] ?? 'open';
    const assignee = d.agentStaff(t.assignee_id);
    const owner = assignee ?? (status === 'new' ? null : d.fallback);
    const comments: Comment[] = [...(d.data.comments.get(t.id) ?? [])].sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
    if (!comments.length && t.description) comments.push({ id: 0, event_type: 'Comment', author_id: t.requester_id, body: t.description, public: true, created_at: t.created_at });
    const fromCustomer = (c: Comment) => c.author_id == null || c.author_id === t.requester_id || d.users.get(c.author_id)?.role === 'end-user';
    const firstAnswer = comments.find((c) => c.public && !fromCustomer(c));
    const done = status === 'resolved' || status === 'closed';
    Object.entries({
      id: caseId, subject: (t.subject?.trim() || t.description?.split('\n')[0]?.trim() || '(no subject)').slice(0, 300), customer: customerId,
      channel: CHANNEL[t.via?.channel ?? ''] ?? 'other', type: t.type ?? 'question', priority: t.priority && PRIORITY.has(t.priority) ? t.priority : 'normal',
      status, owner, team: t.group_id ? (d.teams.get((d.data.groups.get(t.group_id) ?? '').toLowerCase()) ?? null) : null,
      tags: `{${t.tags.map((x) => `"${x.replace(/["\\]/g, '')}"`).join(',')}}`, opened: t.created_at, responded: firstAnswer?.created_at ?? null,
      resolved: done ? t.updated_at : null, closed: status === 'closed' ? t.updated_at : null, updated: t.updated_at,
    }).forEach(([k, v]) => cols[k]!.push(v));
    entries.push({ caseId, kind: 'case_opened', author: null, body: null, data: JSON.stringify({ imported: 'zendesk', ticket: t.id }), at: t.created_at });
    for (const c of comments) {
      const kind = !c.public ? 'internal_note' : fromCustomer(c) ? 'inbound_message' : 'outbound_reply';
      entries.push({ caseId, kind, author: kind === 'inbound_message' ? null : (d.agentStaff(c.author_id) ?? null), body: c.body ?? '', data: JSON.stringify({ imported: 'zendesk', comment: c.id }), at: c.created_at });
      d.report.comments += 1;
    }
  }
  // Tags travel as array literals, one per case (unnest would flatten an array of arrays).
  await client.query(`INSERT INTO cases (id, subject, customer_id, channel, type, priority, status, owner_id, team_id, tags, opened_at, first_responded_at, resolved_at, closed_at, updated_at)
    OVERRIDING SYSTEM VALUE
    SELECT id, subject, customer, channel, type, priority, status, owner, team, tags::text[], opened, responded, resolved, closed, updated
    FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::bigint[], $10::text[], $11::timestamptz[], $12::timestamptz[], $13::timestamptz[], $14::timestamptz[], $15::timestamptz[])
      AS u(id, subject, customer, channel, type, priority, status, owner, team, tags, opened, responded, resolved, closed, updated)`,
  Object.values(cols));
  await client.query(`INSERT INTO case_entries (case_id, kind, author_id, body, data, created_at)
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::jsonb[], $6::timestamptz[])`,
  [entries.map((e) => e.caseId), entries.map((e) => e.kind), entries.map((e) => e.author), entries.map((e) => e.body), entries.map((e) => e.data), entries.map((e) => e.at)]);
  await client.query(`INSERT INTO import_mappings (source, kind, external_id, kept_id, imported_at) SELECT 'zendesk', 'ticket', x, y, $3 FROM unnest($1::text[], $2::bigint[]) AS u(x, y)`,
    [tickets.map((t) => String(t.id)), ids, d.now]);
  await client.query(`INSERT INTO audit_log (at, actor_id, entity, entity_id, action, before, after) SELECT $3, NULL, 'case', y, 'imported', NULL, jsonb_build_object('source', 'zendesk', 'ticket', x)
    FROM unnest($1::bigint[], $2::bigint[]) AS u(x, y)`, [tickets.map((t) => t.id), ids, d.now]);
  d.report.tickets.imported += tickets.length;
}
