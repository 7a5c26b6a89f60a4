import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import tar from 'tar-stream';
import { startKept, type TestKept } from '../helpers/app';
import { smtpClient } from '../helpers/mail';

type Client = Awaited<ReturnType<TestKept['signedIn']>>;
const photo = (who: string) => Buffer.concat([PNG, Buffer.from(who)]); // different bytes: content-addressed files are not shared
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

async function untar(archive: Buffer): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const extract = tar.extract();
  const done = (async () => {
    for await (const entry of extract) {
      const parts: Buffer[] = [];
      for await (const c of entry) parts.push(c as Buffer);
      files.set(entry.header.name, Buffer.concat(parts));
    }
  })();
  extract.end(archive);
  await done;
  return files;
}

describe('data rights: a customer\'s export and erasure', { timeout: 90_000 }, () => {
  let k: TestKept;
  let admin: Client;
  let manager: Client;
  let agent: Client;
  const attachments = fs.mkdtempSync(path.join(os.tmpdir(), 'kept-privacy-'));
  const people = {
    ada: { name: 'Ada Okafor', title: 'Mrs', givenName: 'Ada', familyName: 'Okafor', emails: ['ada@okafor.example'], phones: ['+44 20 7946 0958'] },
    bob: { name: 'Bob Brennan', emails: ['bob@brennan.example'], phones: ['+44 20 7946 0999'] },
  };
  const ids: Record<string, { customerId: number; caseIds: number[] }> = {};

  /** A customer's story: an email with a photo, a case with a reply, a promise, a resolved case answered with a score. */
  async function story(key: 'ada' | 'bob', score: number) {
    const p = people[key];
    await smtpClient(k.kept.smtpPort!).sendMail({ from: `${p.name} <${p.emails[0]}>`, to: 'support@kept.test', subject: `${p.name.split(' ')[1]} lamp arrived broken`, text: `Hello, my lamp is broken. ${p.name}`, attachments: [{ filename: `${key}.png`, content: photo(key) }] });
    await k.runTimers();
    const [mailCase] = await k.sql<{ id: number; customer_id: number }>(`SELECT c.id::int, c.customer_id::int FROM cases c JOIN customer_emails e ON e.customer_id = c.customer_id WHERE e.email = $1`, [p.emails[0]]);
    const customerId = mailCase!.customer_id;
    assert.equal((await agent.patch(`/customers/${customerId}`, { phones: p.phones, ...(key === 'ada' ? { title: 'Mrs', givenName: 'Ada', familyName: 'Okafor' } : {}) })).status, 200);
    const second = (await agent.post('/cases', { subject: `${p.name.split(' ')[0]}'s refund for the lamp`, channel: 'phone', customerId })).body;
    const reply = await agent.post(`/cases/${second.id}/replies`, { body: `${key === 'ada' ? 'Dear Mrs Okafor' : `Dear ${p.name}`}, your refund is on its way.` });
    assert.equal(reply.status, 201, JSON.stringify(reply.body));
    assert.equal((await agent.post(`/cases/${second.id}/commitments`, { text: `Call ${p.name} back by Friday`, dueAt: '2026-03-06T16:00:00Z' })).status, 201);
    assert.equal((await agent.patch(`/cases/${second.id}`, { status: 'resolved' })).status, 200);
    await k.runTimers();
    const [mail] = await k.sql<{ text_body: string }>(`SELECT text_body FROM outbound_emails WHERE kind = 'survey' AND to_address = $1 ORDER BY id DESC LIMIT 1`, [p.emails[0]]);
    const token = /Or answer here: \S+\/s\/(sv_\S+)/.exec(mail!.text_body)![1]!;
    const answered = await fetch(`${k.baseUrl}/api/v1/public/surveys/${token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ answers: { nps: score, comment: `${p.name} says the lamp was lovely` }, complete: true }) });
    assert.equal(answered.status, 200, await answered.text());
    await k.runTimers();
    ids[key] = { customerId, caseIds: [mailCase!.id, second.id] };
  }

  before(async () => {
    k = await startKept({ now: '2026-03-02T09:00:00Z', mail: { receiver: { port: 0, host: '127.0.0.1', maxBytes: 1024 * 1024 }, attachmentsDir: attachments } });
    admin = await k.signedIn('admin');
    manager = await k.signedIn('manager');
    agent = await k.signedIn('agent');
    assert.equal((await admin.post('/surveys', { name: 'After a case', trigger: 'case_resolved', questions: [{ kind: 'nps' }] })).status, 201);
    await story('ada', 9);
    await story('bob', 4);
  });
  after(async () => {
    await k?.close();
    fs.rmSync(attachments, { recursive: true, force: true });
  });

  const exportOf = async (who: Client, customerId: number) => {
    const res = await fetch(`${k.baseUrl}/api/v1/customers/${customerId}/export`, { headers: { cookie: (who as unknown as { cookie: string }).cookie } });
    return { status: res.status, type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) };
  };

  it('only managers and admins may export or erase a customer', async () => {
    assert.equal((await exportOf(agent, ids.ada!.customerId)).status, 403);
    assert.equal((await agent.post(`/customers/${ids.ada!.customerId}/erase`, { reason: 'asked' })).status, 403);
  });

  it('an export holds all of the customer\'s cases, messages, answers and promises and nothing of anyone else', async () => {
    const res = await exportOf(manager, ids.ada!.customerId);
    assert.equal(res.status, 200);
    assert.equal(res.type, 'application/x-tar');
    const files = await untar(res.body);
    const json = JSON.parse(files.get(`customer-${ids.ada!.customerId}/export.json`)!.toString('utf8'));
    assert.equal(json.customer.name, 'Ada Okafor');
    assert.deepEqual(json.cases.map((c: { id: number }) => Number(c.id)).sort(), [...ids.ada!.caseIds].sort());
    assert.ok(json.timeline.some((e: { body: string }) => /your refund is on its way/.test(e.body ?? '')), 'the reply');
    assert.ok(json.timeline.some((e: { body: string }) => /my lamp is broken/.test(e.body ?? '')), 'the message');
    assert.equal(json.commitments.length, 1);
    assert.equal(json.surveyAnswers.length, 1);
    assert.equal(json.surveyAnswers[0].nps, 9);
    assert.ok(json.audit.length > 0, 'the audit trail about them');
    assert.ok(!json.surveyInvitations.some((i: object) => 'token_hash' in i), 'no survey token hashes');
    assert.ok([...files.keys()].some((n) => n.endsWith('-ada.png')), 'their attachment');
    assert.deepEqual([...files.entries()].find(([n]) => n.endsWith('-ada.png'))![1], photo('ada'));
    assert.ok([...files.keys()].some((n) => n.endsWith('.eml')), 'the raw email they sent');
    const everything = [...files.values()].map((b) => b.toString('latin1')).join('\n');
    for (const other of ['Bob', 'Brennan', 'bob@brennan.example', '+442079460999', 'bob.png']) assert.ok(!everything.includes(other), `nothing of Bob: ${other}`);
    const [audit] = await k.sql<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE entity = 'customer' AND entity_id = $1 AND action = 'exported'`, [ids.ada!.customerId]);
    assert.equal(audit!.n, 1, 'the export is in the audit trail');
  });

  it('after erasure the person cannot be found by name, email or phone, and the monthly figures are unchanged', async () => {
    const month = '2026-03';
    const before = (await admin.get(`/reviews/${month}`)).body;
    const [file] = await k.sql<{ sha256: string }>(`SELECT sha256 FROM attachments WHERE case_id = $1`, [ids.ada!.caseIds[0]]);
    const erased = await manager.post(`/customers/${ids.ada!.customerId}/erase`, { reason: 'Asked by email on 2 March' });
    assert.equal(erased.status, 200, JSON.stringify(erased.body));
    assert.equal(erased.body.cases, 2);
    assert.equal((await manager.post(`/customers/${ids.ada!.customerId}/erase`, { reason: 'again' })).status, 409);

    for (const q of ['Okafor', 'Ada', 'ada@okafor.example']) assert.equal((await agent.get(`/customers?q=${encodeURIComponent(q)}`)).body.items.length, 0, `customers ?q=${q}`);
    assert.equal((await agent.get(`/customers/lookup?phone=${encodeURIComponent('+44 20 7946 0958')}`)).status, 404);
    assert.equal((await agent.get('/customers?q=Bob')).body.items.length, 1, 'Bob is still there');
    for (const q of ['Okafor', 'lamp is broken', 'refund']) {
      const found = (await agent.get(`/cases?q=${encodeURIComponent(q)}`)).body.items.filter((c: { id: number }) => ids.ada!.caseIds.includes(c.id));
      assert.equal(found.length, 0, `cases ?q=${q}`);
    }
    // nothing that names her is left anywhere in the database
    const dump = await k.sql<{ t: string }>(`SELECT string_agg(x::text, ' ') AS t FROM (
      SELECT to_jsonb(c) AS x FROM customers c UNION ALL SELECT to_jsonb(c) FROM cases c UNION ALL SELECT to_jsonb(e) FROM case_entries e
      UNION ALL SELECT to_jsonb(o) - 'html_body' FROM outbound_emails o UNION ALL SELECT payload FROM domain_events UNION ALL SELECT coalesce(after, '{}') || coalesce(before, '{}') FROM audit_log
      UNION ALL SELECT to_jsonb(r) FROM survey_responses r UNION ALL SELECT to_jsonb(m) FROM commitments m UNION ALL SELECT to_jsonb(n) FROM notifications n
      UNION ALL SELECT to_jsonb(convert_from(raw, 'UTF8')) FROM inbound_emails) all_rows`);
    for (const word of ['Okafor', 'ada@okafor.example', '+442079460958']) assert.ok(!dump[0]!.t.includes(word), `"${word}" is gone`);
    assert.ok(dump[0]!.t.includes('Brennan'), 'Bob is untouched');
    assert.ok(!fs.existsSync(path.join(attachments, file!.sha256.slice(0, 2), file!.sha256)), 'her attachment file is deleted');

    const after = (await admin.get(`/reviews/${month}`)).body;
    // Every figure is unchanged; only the themes read from comments lose her words (they quoted her name).
    const { themes: themesAfter, ...figuresAfter } = after;
    const { themes: themesBefore, ...figuresBefore } = before;
    assert.deepEqual(figuresAfter, figuresBefore, 'the monthly figures are unchanged');
    assert.ok(JSON.stringify(themesBefore).includes('Ada Okafor'));
    assert.ok(!JSON.stringify(themesAfter).includes('Okafor'));
    const [answer] = await k.sql<{ nps: number; comment: string }>(`SELECT nps, comment FROM survey_responses WHERE customer_id = $1`, [ids.ada!.customerId]);
    assert.deepEqual(answer, { nps: 9, comment: '[erased]' }, 'her score still counts');
    const [trail] = await k.sql<{ after: { reason: string } }>(`SELECT after FROM audit_log WHERE entity = 'customer' AND entity_id = $1 AND action = 'erased'`, [ids.ada!.customerId]);
    assert.equal(trail!.after.reason, 'Asked by email on 2 March');
    const [event] = await k.sql<{ n: number }>(`SELECT count(*)::int AS n FROM domain_events WHERE type = 'customer.erased' AND customer_id = $1`, [ids.ada!.customerId]);
    assert.equal(event!.n, 1);
  });

  it('raw emails are emptied after the retention period', async () => {
    const r = await startKept({ now: '2026-03-02T09:00:00Z', mail: { receiver: { port: 0, host: '127.0.0.1', maxBytes: 1024 * 1024 }, attachmentsDir: attachments }, options: { retainRawEmailMonths: 6 } });
    try {
      await smtpClient(r.kept.smtpPort!).sendMail({ from: 'Cy <cy@example.com>', to: 'support@kept.test', subject: 'Hello', text: 'Keep this for a while' });
      await r.runTimers();
      r.clock.advance(5 * 30 * 24 * 3600_000);
      await r.runTimers();
      assert.match((await r.sql<{ raw: Buffer }>('SELECT raw FROM inbound_emails'))[0]!.raw.toString(), /Keep this for a while/);
      r.clock.advance(32 * 24 * 3600_000);
      await r.runTimers();
      const [row] = await r.sql<{ raw: Buffer; raw_erased_at: Date; case_id: number }>('SELECT raw, raw_erased_at, case_id FROM inbound_emails');
      assert.equal(row!.raw.toString(), '[erased]');
      assert.ok(row!.raw_erased_at);
      const [entry] = await r.sql<{ body: string }>(`SELECT body FROM case_entries WHERE case_id = $1 AND kind = 'inbound_message'`, [row!.case_id]);
      assert.match(entry!.body, /Keep this for a while/, 'the message stays on the case');
    } finally {
      await r.close();
    }
  });
});
