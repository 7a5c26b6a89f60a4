import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import iconv from 'iconv-lite';
import { startKept, type TestKept } from '../helpers/app';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const METRICS_TOKEN = 'metrics-token-for-the-csv-test-0123456789';
const HEADER = 'ticket_id,subject,status,priority,type,channel,created_at,customer_email,customer_name,author,agent_email,body,message_created_at,tags';

const q = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const row = (...cells: string[]) => cells.map(q).join(',');

/**
 * What another help desk's export looks like: 40 tickets of 1–4 messages, rows not in message
 * order, a body over several lines with quotes and commas, a bad row (an author that is neither
 * customer nor agent) and one with a date nobody can read.
 */
function realisticCsv(agentEmail: string) {
  const lines = [HEADER];
  let messages = 0;
  for (let t = 1; t <= 40; t++) {
    const n = 1 + (t % 4);
    const status = ['open', 'pending', 'solved', 'closed', 'new'][t % 5]!;
    const opened = new Date(Date.UTC(2025, 0, 6 + t, 8, 0));
    const rows: string[] = [];
    for (let m = 0; m < n; m++) {
      const at = new Date(opened.getTime() + m * 3 * 3600_000).toISOString();
      const fromCustomer = m % 2 === 0;
      const body = m === 0 ? `Hello,\nmy order #${1000 + t} has not arrived, "tracking" says: delivered, but it is not here.` : fromCustomer ? `Still nothing for order ${1000 + t}.` : `Sorry about that — we are on it (ticket ${t}).`;
      rows.push(row(`T-${t}`, m === 0 ? `Order ${1000 + t} missing` : '', status, t % 7 === 0 ? 'urgent' : 'normal', 'problem', t % 3 ? 'email' : 'web',
        m === 0 ? opened.toISOString() : '', `buyer${t % 25}@example.com`, `Buyer ${t % 25}`, fromCustomer ? 'customer' : 'agent', fromCustomer ? '' : (t % 2 ? agentEmail : 'gone@old-desk.test'), body, at, 'shipping late'));
      messages += 1;
    }
    lines.push(...rows.reverse()); // newest first, as some tools export
  }
  lines.push(row('T-41', 'Bad row', 'open', 'normal', 'question', 'email', '2025-02-01T08:00:00Z', 'x@example.com', 'X', 'robot', '', 'Hi', '2025-02-01T08:00:00Z', ''));
  lines.push(row('T-1', '', '', '', '', '', '', 'buyer1@example.com', '', 'customer', '', 'A late line', 'yesterday', ''));
  // the line numbers an editor shows (the first bodies span two lines)
  const lineOf = (i: number) => lines.slice(0, i).join('\n').split('\n').length + 1;
  return { text: `${lines.join('\r\n')}\r\n`, tickets: 40, messages, badLines: [lineOf(lines.length - 2), lineOf(lines.length - 1)] };
}

describe('arriving from another help desk: the CSV import', { timeout: 120_000 }, () => {
  let k: TestKept;
  let agentEmail: string;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kept-csv-'));
  before(async () => {
    k = await startKept({ now: '2026-03-02T09:00:00Z', options: { metricsToken: METRICS_TOKEN } });
    await k.signedIn('admin');
    const agent = await k.signedIn('agent');
    agentEmail = (await k.sql<{ email: string }>('SELECT email FROM staff WHERE id = $1', [agent.id]))[0]!.email;
  });
  after(async () => {
    await k?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const importCsv = (file: string, ...flags: string[]) => run(process.execPath, ['bin/kept.mjs', 'import', 'csv', file, ...flags],
    { cwd: ROOT, env: { ...process.env, DATABASE_URL: k.databaseUrl, LOG_LEVEL: 'silent' }, maxBuffer: 16 * 1024 * 1024 });
  const snapshot = async () => (await k.sql<{ cases: number; entries: number; customers: number; events: number; mails: number; invitations: number; mappings: number }>(`SELECT
    (SELECT count(*)::int FROM cases) AS cases, (SELECT count(*)::int FROM case_entries) AS entries, (SELECT count(*)::int FROM customers) AS customers,
    (SELECT count(*)::int FROM domain_events) AS events, (SELECT count(*)::int FROM outbound_emails) AS mails, (SELECT count(*)::int FROM survey_invitations) AS invitations,
    (SELECT count(*)::int FROM import_mappings) AS mappings`))[0]!;
  const caseOf = async (ticket: string) => (await k.sql<{ id: number; subject: string; status: string; priority: string; channel: string; opened_at: Date; resolved_at: Date | null;
    first_response_due_at: Date | null; first_responded_at: Date | null; owner_id: number | null; tags: string[]; customer: string }>(`SELECT c.id::int, c.subject, c.status, c.priority, c.channel, c.opened_at, c.resolved_at,
    c.first_response_due_at, c.first_responded_at, c.owner_id::int, c.tags, cu.name AS customer FROM cases c JOIN customers cu ON cu.id = c.customer_id
    JOIN import_mappings m ON m.kept_id = c.id AND m.source = 'csv' AND m.kind = 'ticket' WHERE m.external_id = $1`, [`csv:${ticket}`]))[0];

  it('a file of tickets imports with its messages in order and its dates, twice with the same result, without emails or surveys', async () => {
    const csv = realisticCsv(agentEmail);
    const file = path.join(dir, 'other-desk.csv');
    fs.writeFileSync(file, csv.text);
    const before = await snapshot();
    const first = await importCsv(file);
    console.log(`# ${first.stdout.split('\n').join('\n# ')}`);
    assert.match(first.stderr, /import \[#+\] 100%/, 'progress on stderr');
    assert.match(first.stdout, new RegExp(`tickets: +${csv.tickets} imported, 0 already there`));
    assert.match(first.stdout, /rejected: +2 rows/);
    assert.match(first.stdout, new RegExp(`line ${csv.badLines[0]} \\(ticket T-41\\): author must be customer or agent`));
    assert.match(first.stdout, new RegExp(`line ${csv.badLines[1]} \\(ticket T-1\\): message_created_at "yesterday" is not a date`));
    const once = await snapshot();
    assert.equal(once.cases - before.cases, csv.tickets);
    assert.equal(once.entries - before.entries, csv.tickets + csv.messages, 'an opening entry per case and every good message');
    assert.equal(once.customers - before.customers, 25, 'one customer per email');
    assert.deepEqual([once.events, once.mails, once.invitations], [before.events, before.mails, before.invitations], 'no events, no emails queued, no survey invitations');

    const c = (await caseOf('T-3'))!; // 4 messages, status closed (3 % 5), odd: answered by the Kept agent
    assert.equal(c.subject, 'Order 1003 missing');
    assert.equal(c.status, 'closed');
    assert.equal(c.channel, 'web');
    assert.equal(c.opened_at.toISOString(), '2025-01-09T08:00:00.000Z');
    assert.equal(c.first_responded_at!.toISOString(), '2025-01-09T11:00:00.000Z');
    assert.equal(c.resolved_at!.toISOString(), '2025-01-09T17:00:00.000Z', 'resolved at its last message');
    assert.equal(c.first_response_due_at, null, 'no service-standard due times');
    assert.deepEqual(c.tags, ['shipping', 'late']);
    assert.equal(c.customer, 'Buyer 3');
    const entries = await k.sql<{ kind: string; body: string | null; created_at: Date; author_email: string | null }>(`SELECT e.kind, e.body, e.created_at, s.email AS author_email
      FROM case_entries e LEFT JOIN staff s ON s.id = e.author_id WHERE e.case_id = $1 ORDER BY e.created_at, e.id`, [c.id]);
    assert.deepEqual(entries.map((e) => e.kind), ['case_opened', 'inbound_message', 'outbound_reply', 'inbound_message', 'outbound_reply'], 'messages in their order, not the file\'s');
    assert.match(entries[1]!.body!, /^Hello,\nmy order #1003 has not arrived, "tracking" says: delivered/);
    assert.equal(entries[2]!.author_email, agentEmail);
    assert.deepEqual(entries.slice(1).map((e) => e.created_at.toISOString()), ['2025-01-09T08:00:00.000Z', '2025-01-09T11:00:00.000Z', '2025-01-09T14:00:00.000Z', '2025-01-09T17:00:00.000Z']);
    const t2 = (await caseOf('T-2'))!; // answered by an agent who is not in Kept: owned by the first admin
    assert.ok(t2.owner_id);
    assert.equal((await caseOf('T-41')), undefined, 'a ticket whose only row is bad is not imported');

    const second = await importCsv(file);
    assert.match(second.stdout, new RegExp(`tickets: +0 imported, ${csv.tickets} already there`));
    assert.deepEqual(await snapshot(), once, 'the second run changes nothing');

    k.clock.advance(30 * 24 * 3600_000);
    await k.runTimers();
    assert.equal((await snapshot()).events, once.events, 'timers find nothing to breach or survey');
  });

  it('a latin-1 file keeps its accents, and read as UTF-8 it stops before writing anything', async () => {
    const text = [HEADER, row('L-1', 'Commande arrivée abîmée', 'open', 'high', 'problem', 'email', '2025-03-04 09:30', 'zoe@example.fr', 'Zoë Bérénice Müller', 'customer', '',
      'Bonjour, le colis est arrivé abîmé. Ça arrive ?', '2025-03-04 09:30', 'colis')].join('\n');
    const file = path.join(dir, 'latin1.csv');
    fs.writeFileSync(file, iconv.encode(text, 'latin1'));
    const before = await snapshot();
    const wrong = await importCsv(file).then(() => null, (e: { code: number; stderr: string }) => e);
    assert.ok(wrong, 'reading latin-1 as UTF-8 fails');
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /Nothing was imported: The file is not valid UTF-8 \(near byte \d+\)/);
    assert.deepEqual(await snapshot(), before, 'an unreadable file changes nothing');

    for (const encoding of ['latin1', 'auto']) {
      const out = await importCsv(file, '--encoding', encoding);
      assert.match(out.stdout, /latin1/);
    }
    const c = (await caseOf('L-1'))!;
    assert.equal(c.subject, 'Commande arrivée abîmée');
    assert.equal(c.customer, 'Zoë Bérénice Müller');
    assert.equal(c.opened_at.toISOString(), '2025-03-04T09:30:00.000Z');
    const [entry] = await k.sql<{ body: string }>(`SELECT body FROM case_entries WHERE case_id = $1 AND kind = 'inbound_message'`, [c.id]);
    assert.equal(entry!.body, 'Bonjour, le colis est arrivé abîmé. Ça arrive ?');
    assert.ok(!entry!.body.includes('\uFFFD'));
    assert.equal((await snapshot()).cases - before.cases, 1, 'imported once, though run twice');
  });

  it('the open chats are a gauge in /metrics', async () => {
    const scrape = async () => (await (await fetch(`${k.baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text());
    const openChats = (text: string) => [...text.matchAll(/^kept_open_chats\{status="([a-z_]+)"\} (\d+)$/gm)].reduce((a, m) => a + Number(m[2]), 0);
    const before = await scrape();
    assert.match(before, /^# TYPE kept_open_chats gauge$/m);
    const started = await fetch(`${k.baseUrl}/api/v1/chat/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ language: 'en' }) });
    assert.equal(started.status, 201, await started.clone().text());
    assert.equal(openChats(await scrape()) - openChats(before), 1);
  });
});
