import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startKept, type TestKept } from '../helpers/app';
import { smtpClient, startSink, type Sink } from '../helpers/mail';
import { corpus } from '../fixtures/email-corpus';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

describe('email: customers write and get answers by ordinary email', { timeout: 60_000 }, () => {
  let k: TestKept;
  let sink: Sink;
  let admin: Awaited<ReturnType<TestKept['signedIn']>>;
  let agent: Awaited<ReturnType<TestKept['signedIn']>>;
  const attachmentsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kept-attachments-'));

  before(async () => {
    sink = await startSink();
    k = await startKept({
      now: '2026-06-01T08:00:00Z',
      mail: {
        receiver: { port: 0, host: '127.0.0.1', maxBytes: 512 * 1024 },
        transportUrl: `smtp://127.0.0.1:${sink.port}`,
        from: 'Acme Support <support@acme.test>',
        attachmentsDir,
      },
    });
    admin = await k.signedIn('admin');
    agent = await k.signedIn('agent');
    await admin.patch('/settings', { name: 'Acme', timeZone: 'Europe/London', supportAddresses: ['support@acme.test', 'help@acme.test'] });
    await admin.post('/standards', { channel: 'email', firstResponseMinutes: 240, resolutionMinutes: 960 });
  });
  after(async () => {
    await k?.close();
    await sink?.close();
    fs.rmSync(attachmentsDir, { recursive: true, force: true });
  });

  const send = (mail: object) => smtpClient(k.kept.smtpPort!).sendMail({ to: 'support@acme.test', ...mail });
  const settle = async () => { await k.runTimers(); await k.runTimers(); };
  const inbound = (where = 'true') => k.sql<{ id: number; status: string; reason: string | null; case_id: number | null; automatic: string | null }>(`SELECT id, status, reason, case_id, automatic FROM inbound_emails WHERE ${where} ORDER BY id`);

  it('a new email opens a case, greets the customer by form of address and states the expected response time', async () => {
    const info = await send({ from: 'Ada Okafor <ada@okafor.example>', subject: 'My sofa arrived torn', text: 'Hello, the sofa cushion is torn. Please help.' });
    assert.match(info.response, /^250 /);
    await settle();
    const [row] = await inbound();
    assert.equal(row!.status, 'processed');
    const c = (await agent.get(`/cases/${row!.case_id}`)).body;
    assert.equal(c.channel, 'email');
    assert.equal(c.subject, 'My sofa arrived torn');
    assert.equal(c.customer.emails[0], 'ada@okafor.example');
    assert.equal(c.firstResponseDueAt, '2026-06-01T12:00:00.000Z'); // 09:00 London + 4 business hours
    await sink.waitFor(1);
    const ack = sink.received[0]!;
    assert.deepEqual(ack.envelopeTo, ['ada@okafor.example']);
    assert.match(ack.subject!, new RegExp(`\\[K-${c.id}-[a-z2-7]{10}\\]`), 'the case reference carries the case secret');
    assert.match(ack.text!, /^Dear Ada Okafor,/);
    assert.match(ack.text!, /personal answer by Monday 1 June at 13:00 BST/);
    assert.ok(ack.html, 'plain-text and HTML parts');
    assert.equal(ack.headers.get('auto-submitted'), 'auto-replied');
    assert.equal(ack.inReplyTo, info.messageId);
  });

  it('a reply to the acknowledgement, with the headers a mail program sets, lands on the same case with the quoted history folded', async () => {
    const ack = sink.received[0]!;
    const caseId = (await inbound())[0]!.case_id!;
    await send({
      from: 'ada@okafor.example', subject: `Re: ${ack.subject}`, inReplyTo: ack.messageId, references: [ack.inReplyTo!, ack.messageId!],
      text: `Here is a photo of the damage.\n\nOn Mon, 1 Jun 2026 at 09:00, Acme Support <support@acme.test> wrote:\n> Dear Ada Okafor,\n> Thank you for writing to Acme.\n`,
      attachments: [{ filename: 'damage.pdf', content: PNG, contentType: 'application/pdf' }],
    });
    await settle();
    const rows = await inbound();
    assert.equal(rows[1]!.case_id, caseId, 'threaded by In-Reply-To/References');
    const messages = (await agent.get(`/cases/${caseId}/timeline`)).body.items.filter((e: { kind: string }) => e.kind === 'inbound_message');
    assert.equal(messages.length, 2);
    assert.equal(messages[1].body, 'Here is a photo of the damage.');
    assert.match(messages[1].data.email.quoted, /Thank you for writing to Acme/);
    const [file] = messages[1].data.attachments.stored;
    assert.equal(file.contentType, 'image/png', 'content type from the bytes, not from the sender');
    const download = await fetch(`${k.baseUrl}/api/v1/attachments/${file.id}`, { headers: { cookie: '' } });
    assert.equal(download.status, 401, 'attachments need a signed-in staff member');
  });

  it('a reply from the workspace goes out threaded, with the case reference, text and HTML', async () => {
    const caseId = (await inbound())[0]!.case_id!;
    const lastInbound = sink.received.length;
    const res = await agent.post(`/cases/${caseId}/replies`, { body: 'Dear Ada Okafor,\n\nA new cushion leaves our warehouse today.\n\nAcme' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    await settle();
    await sink.waitFor(lastInbound + 1);
    const reply = sink.received[lastInbound]!;
    const customerMessageIds = await k.sql<{ message_id: string }>('SELECT message_id FROM inbound_emails WHERE case_id = $1 ORDER BY id', [caseId]);
    assert.equal(reply.inReplyTo, customerMessageIds.at(-1)!.message_id);
    const refs = Array.isArray(reply.references) ? reply.references : [reply.references];
    assert.ok(refs.includes(customerMessageIds[0]!.message_id));
    assert.match(reply.subject!, /^Re: My sofa arrived torn \[K-\d+-[a-z2-7]{10}\]$/);
    assert.match(reply.html as string, /<p>Dear Ada Okafor,<\/p>/);
    assert.equal((await agent.get(`/cases/${caseId}/emails`)).body.items.find((m: { kind: string }) => m.kind === 'reply').status, 'sent');
  });

  it('an auto-reply loop with a vacation responder stops after the first message', async () => {
    const before = sink.received.length;
    sink.onMessage = async (m) => {
      if (m.envelopeTo.includes('away@holiday.example')) {
        await send({ from: 'away@holiday.example', subject: `Out of office: ${m.subject}`, inReplyTo: m.messageId, references: [m.messageId!],
          headers: { 'Auto-Submitted': 'auto-replied', 'X-Autoreply': 'yes' }, text: 'I am on holiday until Monday.' });
      }
    };
    await send({ from: 'away@holiday.example', subject: 'Question before I leave', text: 'Is my order shipped?' });
    for (let i = 0; i < 6; i++) { await settle(); await new Promise((r) => setTimeout(r, 100)); }
    sink.onMessage = null;
    const toResponder = sink.received.slice(before).filter((m) => m.envelopeTo.includes('away@holiday.example'));
    assert.equal(toResponder.length, 1, 'only the acknowledgement of the real message went out');
    const rows = await inbound(`envelope_from = 'away@holiday.example'`);
    assert.equal(rows.length, 2);
    assert.match(rows[1]!.automatic!, /Auto-Submitted: auto-replied/);
    const entries = await k.sql<{ kind: string }>(`SELECT kind FROM case_entries WHERE case_id = $1 ORDER BY id`, [rows[0]!.case_id]);
    assert.ok(entries.some((e) => e.kind === 'automatic_message'), 'the out-of-office is recorded on the case');
  });

  it('every message of a malformed and real-world corpus is stored and filed or quarantined with a reason', async () => {
    const first = (await inbound()).length;
    for (const m of corpus) {
      await smtpClient(k.kept.smtpPort!).sendMail({ envelope: { from: m.name === 'no sender anywhere' ? '' : 'corpus@example.com', to: ['support@acme.test'] }, raw: m.raw });
    }
    await settle();
    const rows = (await inbound()).slice(first);
    assert.equal(rows.length, corpus.length, 'every accepted message was stored');
    rows.forEach((r, i) => {
      const m = corpus[i]!;
      assert.notEqual(r.status, 'received', `${m.name} was processed`);
      if (m.expect !== 'any') assert.equal(r.status, m.expect, `${m.name}: ${r.status} (${r.reason})`);
      if (r.status === 'quarantined') assert.ok(r.reason, `${m.name} has a quarantine reason`);
    });
    const htmlOnly = rows[corpus.findIndex((m) => m.name === 'HTML only, with script')]!;
    const [entry] = await k.sql<{ body: string; html: string }>(`SELECT body, data->'email'->>'html' AS html FROM case_entries WHERE id = (SELECT entry_id FROM inbound_emails WHERE id = $1)`, [htmlOnly.id]);
    assert.match(entry!.body, /My order is late/i);
    assert.doesNotMatch(entry!.html, /script|onclick|javascript:/i, 'HTML is sanitised before any screen shows it');
    const quarantine = (await admin.get('/emails/quarantine')).body.items;
    assert.ok(quarantine.some((q: { reason: string }) => /no sender/.test(q.reason)));
    const raw = await fetch(`${k.baseUrl}/api/v1/emails/${quarantine[0].id}/raw`, { headers: { authorization: `Bearer ${(await admin.post('/auth/tokens', { name: 'raw' })).body.token}` } });
    assert.equal(raw.status, 200, 'the raw bytes are kept for admins');
    assert.equal((await agent.get('/emails/quarantine')).status, 403);
    assert.equal(((await (await fetch(`${k.baseUrl}/api/v1/health`)).json()) as { status: string }).status, 'ok');
  });

  it('mail for other addresses and oversized mail is refused at the door, and nothing is stored', async () => {
    const count = (await inbound()).length;
    await assert.rejects(smtpClient(k.kept.smtpPort!).sendMail({ from: 'x@example.com', to: 'ceo@acme.test', text: 'hi' }), /550/);
    await assert.rejects(send({ from: 'x@example.com', text: 'x'.repeat(600 * 1024) }), /552/);
    assert.equal((await inbound()).length, count);
  });

  it('a permanent delivery failure is shown on the case', async () => {
    sink.refuse.add('gone@nowhere.example');
    await send({ from: 'gone@nowhere.example', subject: 'Please call me', text: 'Call me back.' });
    await settle();
    const row = (await inbound(`envelope_from = 'gone@nowhere.example'`))[0]!;
    const timeline = (await agent.get(`/cases/${row.case_id}/timeline`)).body.items;
    const failed = timeline.find((e: { kind: string }) => e.kind === 'email_failed');
    assert.ok(failed, 'the failed acknowledgement is on the timeline');
    assert.match(failed.body, /550/);
  });
});
