import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ParsedMail } from 'mailparser';
import { startKept, type TestKept } from '../helpers/app';
import { smtpClient, startSink, type Sink } from '../helpers/mail';

const CRLF = (s: string) => s.replace(/\r?\n/g, '\r\n');

describe('email: mail cannot be spoofed into a case', { timeout: 60_000 }, () => {
  let k: TestKept;
  let sink: Sink;
  let admin: Awaited<ReturnType<TestKept['signedIn']>>;
  let agent: Awaited<ReturnType<TestKept['signedIn']>>;
  const attachmentsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kept-attachments-'));
  let caseId: number;
  let ack: ParsedMail;

  before(async () => {
    sink = await startSink();
    k = await startKept({
      now: '2026-06-01T08:00:00Z',
      mail: {
        receiver: { port: 0, host: '127.0.0.1', maxBytes: 512 * 1024 },
        transportUrl: `smtp://127.0.0.1:${sink.port}`,
        from: 'Acme Support <support@acme.test>',
        attachmentsDir,
        trustedAuthservIds: ['mx.acme.test'],
      },
    });
    admin = await k.signedIn('admin');
    agent = await k.signedIn('agent');
    await admin.patch('/settings', { name: 'Acme', timeZone: 'Europe/London', supportAddresses: ['support@acme.test'] });
  });
  after(async () => {
    await k?.close();
    await sink?.close();
    fs.rmSync(attachmentsDir, { recursive: true, force: true });
  });

  const send = (mail: object) => smtpClient(k.kept.smtpPort!).sendMail({ to: 'support@acme.test', ...mail });
  const sendRaw = (raw: string | Buffer, from = 'sender@example.com') =>
    smtpClient(k.kept.smtpPort!).sendMail({ envelope: { from, to: ['support@acme.test'] }, raw: typeof raw === 'string' ? Buffer.from(CRLF(raw)) : raw });
  const settle = async () => { await k.runTimers(); await k.runTimers(); };
  const lastInbound = async () => (await k.sql<{ id: number; status: string; reason: string | null; case_id: number | null }>(
    'SELECT id, status, reason, case_id FROM inbound_emails ORDER BY id DESC LIMIT 1'))[0]!;
  const inboundMessages = async (id: number) =>
    (await agent.get(`/cases/${id}/timeline`)).body.items.filter((e: { kind: string }) => e.kind === 'inbound_message') as { body: string }[];

  it('a new case acknowledges with a random Message-ID and the case secret in subject and Reply-To', async () => {
    await send({ from: 'Helen Clark <helen@clark.example>', subject: 'Broken kettle', text: 'My kettle stopped working.' });
    await settle();
    caseId = (await lastInbound()).case_id!;
    await sink.waitFor(1);
    ack = sink.received[0]!;
    assert.match(ack.subject!, new RegExp(`^Re: Broken kettle \\[K-${caseId}-[a-z2-7]{10}\\]$`));
    assert.doesNotMatch(ack.messageId!, /K-\d/, 'the Message-ID does not give away the case number');
    assert.match(ack.messageId!, /^<kept\.[\w-]{24}@acme\.test>$/);
    assert.match(ack.replyTo!.value[0]!.address!, new RegExp(`^support\\+k${caseId}\\.[a-z2-7]{10}@acme\\.test$`));
  });

  it('a subject reference without the case secret opens a new case', async () => {
    await send({ from: 'Helen Clark <helen@clark.example>', subject: `Re: Broken kettle [K-${caseId}]`, text: 'Please refund me to this account instead.' });
    await settle();
    const row = await lastInbound();
    assert.equal(row.status, 'processed');
    assert.notEqual(row.case_id, caseId);
    assert.match(row.reason!, new RegExp(`suspected reference K-${caseId}`));
    const fresh = (await agent.get(`/cases/${row.case_id}`)).body;
    assert.equal(fresh.subject, 'Re: Broken kettle', 'the bare reference is not part of the new subject');
    assert.equal(fresh.customer.emails[0], 'helen@clark.example', 'the new case is for the same customer');
    const note = (await agent.get(`/cases/${row.case_id}/timeline`)).body.items.find((e: { kind: string }) => e.kind === 'internal_note');
    assert.match(note.body, new RegExp(`names case K-${caseId}, but nothing proves`));
    assert.equal((await inboundMessages(caseId)).length, 1, 'nothing was written into the named case');
  });

  it('a subject reference with a wrong secret opens a new case', async () => {
    await send({ from: 'helen@clark.example', subject: `Re: Broken kettle [K-${caseId}-aaaaaaaaaa]`, text: 'Guessing.' });
    await settle();
    assert.notEqual((await lastInbound()).case_id, caseId);
    assert.equal((await inboundMessages(caseId)).length, 1);
  });

  it('a subject reference with the case secret threads', async () => {
    await send({ from: 'helen@clark.example', subject: ack.subject, text: 'Replying from my phone, which drops the headers.' });
    await settle();
    assert.equal((await lastInbound()).case_id, caseId);
    assert.equal((await inboundMessages(caseId)).at(-1)!.body, 'Replying from my phone, which drops the headers.');
  });

  it('a reply quoting our Message-ID threads', async () => {
    await send({ from: 'helen@clark.example', subject: 'a different subject', inReplyTo: ack.messageId, references: [ack.messageId!], text: 'Answering your email.' });
    await settle();
    assert.equal((await lastInbound()).case_id, caseId);
  });

  it('a reply to the case\'s reply address threads', async () => {
    const replyAddress = ack.replyTo!.value[0]!.address!;
    const info = await send({ from: 'helen@clark.example', to: replyAddress, subject: 'no reference here', text: 'Sent to the reply address.' });
    assert.match(info.response, /^250 /, 'the plus-address of a support address is accepted');
    await settle();
    assert.equal((await lastInbound()).case_id, caseId);
    const forged = replyAddress.replace(/\.[a-z2-7]{10}@/, '.bbbbbbbbbb@');
    await send({ from: 'helen@clark.example', to: forged, subject: 'forged reply address', text: 'Guessing the secret.' });
    await settle();
    assert.notEqual((await lastInbound()).case_id, caseId, 'a reply address with a wrong secret proves nothing');
  });

  it('quoting the customer\'s own Message-ID threads only from that customer', async () => {
    const [first] = await k.sql<{ message_id: string }>('SELECT message_id FROM inbound_emails WHERE case_id = $1 ORDER BY id LIMIT 1', [caseId]);
    await send({ from: 'mallory@evil.example', subject: 'Re: Broken kettle', inReplyTo: first!.message_id, text: 'Send the refund to me.' });
    await settle();
    assert.notEqual((await lastInbound()).case_id, caseId);
    await send({ from: 'helen@clark.example', subject: 'Re: Broken kettle', inReplyTo: first!.message_id, text: 'Forgot to say: it is the blue one.' });
    await settle();
    assert.equal((await lastInbound()).case_id, caseId);
  });

  it('an old bare case reference threads only from the case\'s customer with a trusted DKIM or SPF pass', async () => {
    const bare = (authResults: string, from = 'helen@clark.example') => sendRaw(
      `From: ${from}\nTo: support@acme.test\nSubject: Re: Broken kettle [K-${caseId}]\n${authResults}\nMessage-ID: <${Math.random().toString(36).slice(2)}@clark.example>\n\nOld thread.\n`, from);
    await bare('Authentication-Results: evil.example; dkim=pass header.d=clark.example');
    await settle();
    assert.notEqual((await lastInbound()).case_id, caseId, 'a result from a server we do not trust counts for nothing');
    await bare('Authentication-Results: mx.acme.test; dkim=fail header.d=clark.example; spf=softfail smtp.mailfrom=helen@clark.example');
    await settle();
    assert.notEqual((await lastInbound()).case_id, caseId, 'failing results count for nothing');
    await bare('Authentication-Results: mx.acme.test; dkim=pass header.d=evil.example', 'mallory@evil.example');
    await settle();
    assert.notEqual((await lastInbound()).case_id, caseId, 'another sender\'s own pass does not open someone else\'s case');
    await bare('Authentication-Results: mx.acme.test (Postfix);\n dkim=pass (2048-bit key) header.d=clark.example header.i=@clark.example;\n spf=pass smtp.mailfrom=helen@clark.example');
    await settle();
    assert.equal((await lastInbound()).case_id, caseId);
  });

  it('an invalid From is never stored as a customer address', async () => {
    const invalid = ['"millions lottery"@example.com>', '=?utf-8?q?helen=40clark.example?=@example.com', 'Jane <=?utf-8?q?jane?=@example.com>', 'just a name'];
    for (const from of invalid) {
      await sendRaw(`From: ${from}\nTo: support@acme.test\nSubject: You won\nMessage-ID: <${Math.random().toString(36).slice(2)}@example.com>\n\nClaim your prize.\n`);
      await settle();
      const row = await lastInbound();
      assert.equal(row.status, 'quarantined', from);
      assert.match(row.reason!, /invalid sender/, from);
    }
    const stored = await k.sql<{ email: string }>(`SELECT email FROM customer_emails WHERE email ~ '[="<>? ]' OR email IN ('jane@example.com', 'sender@example.com')`);
    assert.deepEqual(stored, []);
    const api = await admin.post('/customers', { name: 'Lottery', emails: ['"millions lottery"@example.com>'] });
    assert.equal(api.status, 400, 'the API refuses the same address');
    assert.ok((await admin.get('/emails/quarantine')).body.items.some((q: { reason: string }) => /millions lottery/.test(q.reason)), 'an admin sees why');
  });

  it('mail with NUL bytes is filed with the NULs removed', async () => {
    const raw = Buffer.from(CRLF('From: Nul\u0000 Person <nul@example.com>\nTo: support@acme.test\nSubject: Broken\u0000 zip\u0007 file\nMessage-ID: <nul@example.com>\nContent-Type: text/plain; charset=utf-8\n\nThe file\u0000 is\u0001 broken.\tTabs stay.\n'));
    await sendRaw(raw, 'nul@example.com');
    await settle();
    const row = await lastInbound();
    assert.equal(row.status, 'processed', row.reason ?? '');
    const c = (await agent.get(`/cases/${row.case_id}`)).body;
    assert.equal(c.subject, 'Broken zip file');
    assert.equal(c.customer.name, 'Nul Person');
    assert.equal((await inboundMessages(row.case_id!))[0]!.body, 'The file is broken.\tTabs stay.');
  });

  it('the sender\'s display name becomes the new customer\'s name', async () => {
    await send({ from: '"Mrs Helen Baker" <hbaker@example.org>', subject: 'Hello', text: 'A question.' });
    await settle();
    const c = (await agent.get(`/cases/${(await lastInbound()).case_id}`)).body;
    assert.match(c.customer.name, /Helen Baker/);
  });
});
