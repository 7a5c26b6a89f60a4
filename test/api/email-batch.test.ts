/**
 * Stored mail is filed in batches, one transaction with a savepoint per message: a message that
 * fails half-way is rolled back alone and quarantined, and the rest of its batch is filed. New
 * conversations of a batch are filed together, and leave exactly what one-by-one filing leaves.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startKept, type TestKept } from '../helpers/app';
import { processInbound, storeInboundMany } from '../../src/email/ingest';
import { createCustomer } from '../../src/customers';
import { createStandard } from '../../src/standards';
import { filingTogether } from '../../src/email/batch-filing';

const mail = (from: string, subject: string, body: string) => Buffer.from(
  `From: ${from}\r\nTo: support@acme.test\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}@example.com>\r\n\r\n${body}\r\n`,
);

describe('email filing in batches', { timeout: 60_000 }, () => {
  let k: TestKept;
  before(async () => {
    k = await startKept({ now: '2026-06-01T08:00:00Z' });
    // A failure after the customer and the case were written: the timeline refuses this body.
    await k.sql(`CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.body LIKE '%POISON%' THEN RAISE EXCEPTION 'the timeline refused this message'; END IF; RETURN NEW; END $$`);
    await k.sql(`CREATE TRIGGER refuse_poison BEFORE INSERT ON case_entries FOR EACH ROW EXECUTE FUNCTION refuse_poison()`);
  });
  after(async () => k?.close());

  it('one poison mail in a batch is quarantined alone and leaves nothing behind; the others are filed', async () => {
    const ids = await storeInboundMany(k.kept.ctx, [
      { raw: mail('Ada <ada@one.example>', 'Parcel one', 'Where is my parcel?'), meta: { source: 'smtp' } },
      { raw: mail('Pat <pat@poison.example>', 'Parcel two', 'POISON in the middle'), meta: { source: 'smtp' } },
      { raw: Buffer.from([0x00, 0x01, 0xff, 0x0d, 0x0a]), meta: { source: 'smtp' } },
      { raw: mail('Bo <bo@three.example>', 'Parcel three', 'My parcel is broken.'), meta: { source: 'smtp' } },
    ]);
    assert.equal(ids.length, 4);
    await k.runTimers();
    const rows = await k.sql<{ id: number; status: string; reason: string | null; case_id: number | null }>(
      'SELECT id, status, reason, case_id FROM inbound_emails WHERE id = ANY($1) ORDER BY id', [ids]);
    assert.deepEqual(rows.map((r) => r.status), ['processed', 'quarantined', 'quarantined', 'processed']);
    assert.match(rows[1]!.reason!, /timeline refused/);
    assert.ok(rows[0]!.case_id && rows[3]!.case_id && rows[0]!.case_id !== rows[3]!.case_id);
    // The poison mail's customer and case were rolled back with it; the good ones have theirs.
    const customers = await k.sql<{ email: string }>('SELECT email FROM customer_emails ORDER BY email');
    assert.deepEqual(customers.map((c) => c.email), ['ada@one.example', 'bo@three.example']);
    const cases = await k.sql<{ n: number }>('SELECT count(*)::int AS n FROM cases');
    assert.equal(cases[0]!.n, 2);
    const acks = await k.sql<{ to_address: string }>(`SELECT to_address FROM outbound_emails WHERE kind = 'acknowledgement' ORDER BY to_address`);
    assert.deepEqual(acks.map((a) => a.to_address), ['ada@one.example', 'bo@three.example']);
  });
});

describe('new conversations filed together', { timeout: 120_000 }, () => {
  const messages = [
    mail('Ada Lovelace <ada@one.example>', 'Parcel one', 'Where is my parcel?'),
    mail('Mr Becker <becker@known.example>', 'Invoice', 'Hello,\r\n\r\nthe invoice is wrong.\r\n\r\nOn Monday you wrote:\r\n> Here is your invoice\r\n> Thanks'),
    Buffer.from('From: Chloe <chloe@html.example>\r\nTo: support@acme.test\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\nMessage-ID: <html1@html.example>\r\n'
      + 'Content-Type: text/html; charset=utf-8\r\n\r\n<p>Hi <b>there</b><script>alert(1)</script></p>\r\n'),
    Buffer.from('From: dee@nosubject.example\r\nTo: support@acme.test\r\n\r\nNo subject, no Message-ID.\r\n'),
    mail('Eve <eve@two.example>', 'Answer', 'A reply to mail we never sent').toString().replace('Subject:', 'In-Reply-To: <unknown@elsewhere.example>\r\nSubject:'),
  ].map((m) => ({ raw: Buffer.from(m), meta: { source: 'smtp', envelopeFrom: 'bounce@example.test', envelopeTo: ['support@acme.test'] } }));

  /** What filing left, with the random Message-IDs and reply secrets written as placeholders. */
  async function snapshot(k: TestKept) {
    const secrets = await k.sql<{ s: string }>('SELECT DISTINCT reply_secret AS s FROM outbound_emails WHERE reply_secret IS NOT NULL');
    const mask = (v: unknown) => secrets.reduce((t, { s }) => t.replaceAll(s, 'SECRET'), JSON.stringify(v)).replace(/<kept\.[^>"]+>/g, '<ours>');
    const q = async (text: string) => JSON.parse(mask(await k.sql(text))) as unknown;
    return {
      inbound: await q('SELECT id, status, reason, automatic, case_id, entry_id, attempts, message_id FROM inbound_emails ORDER BY id'),
      customers: await q('SELECT c.*, array(SELECT email FROM customer_emails e WHERE e.customer_id = c.id) AS emails FROM customers c ORDER BY id'),
      cases: await q('SELECT * FROM cases ORDER BY id'),
      entries: await q('SELECT * FROM case_entries ORDER BY id'),
      commitments: await q('SELECT case_id, customer_id, kind, text, owner_id, team_id, due_at, created_at, created_by_id, status FROM commitments ORDER BY case_id, kind'),
      outbound: await q('SELECT id, case_id, entry_id, kind, to_address, subject, message_id, reply_to, in_reply_to, "references", text_body, html_body, status FROM outbound_emails ORDER BY id'),
      audit: await q(`SELECT entity, entity_id, action, actor_id, before, after FROM audit_log ORDER BY entity, entity_id, action`),
      events: await q(`SELECT type, actor_id, case_id, customer_id, payload FROM domain_events ORDER BY type, case_id, customer_id`),
    };
  }

  async function prepared() {
    const k = await startKept({ now: '2026-06-01T08:00:00Z' });
    await createStandard(k.kept.ctx, { firstResponseMinutes: 240, resolutionMinutes: 960 });
    await createCustomer(k.kept.ctx, { name: 'Hans Becker', title: 'Herr', givenName: 'Hans', familyName: 'Becker', language: 'de', emails: ['becker@known.example'] });
    return k;
  }

  it('writes the same customers, cases, timeline, commitments, acknowledgements, audit and events as one by one', async () => {
    const together = await prepared();
    const oneByOne = await prepared();
    try {
      await storeInboundMany(together.kept.ctx, messages);
      const before = { ...filingTogether };
      await together.runTimers();
      assert.deepEqual({ messages: filingTogether.messages - before.messages, fellBack: filingTogether.fellBack - before.fellBack }, { messages: messages.length, fellBack: 0 });
      for (const m of messages) {
        const [id] = await storeInboundMany(oneByOne.kept.ctx, [m]);
        assert.ok(await processInbound(oneByOne.kept.ctx, id!));
      }
      const a = await snapshot(together);
      const b = await snapshot(oneByOne);
      assert.equal((a.cases as unknown[]).length, messages.length);
      assert.equal((a.outbound as unknown[]).length, messages.length);
      for (const key of Object.keys(a) as (keyof typeof a)[]) assert.deepEqual(a[key], b[key], key);
    } finally {
      await together.close();
      await oneByOne.close();
    }
  });

  it('a batch mixing new conversations with messages that depend on each other files each as one by one would', async () => {
    const mixed = [
      mail('Ada Lovelace <ada@one.example>', 'First', 'One'),
      mail('Ada Lovelace <ada@one.example>', 'Second', 'Two: the same sender again'),
      mail('Bo <bo@two.example>', 'Question', 'Bo asks'),
      mail('Cy <cy@three.example>', 'Re Question', 'Cy answers Bo').toString().replace('Subject:', 'In-Reply-To: <Question@example.com>\r\nSubject:'),
      mail('Dee <dee@four.example>', 'Out of office', 'Away').toString().replace('Subject:', 'Auto-Submitted: auto-replied\r\nSubject:'),
      mail('Eve <eve@five.example>', 'Plain', 'Eve writes'),
    ].map((m) => ({ raw: Buffer.from(m), meta: { source: 'smtp' } }));
    /**
     * Per message, what a person would see: how it was filed, on which customer's case, and that
     * case's story. Case numbers aside: the messages filed together are numbered first.
     */
    const story = async (k: TestKept) => JSON.parse(JSON.stringify(await k.sql(`
      SELECT i.status, i.automatic, c.subject, c.status AS case_status,
             array(SELECT email FROM customer_emails e WHERE e.customer_id = c.customer_id) AS customer,
             array(SELECT kind || ': ' || coalesce(body, '') FROM case_entries WHERE case_id = c.id ORDER BY id) AS timeline,
             (SELECT count(*)::int FROM outbound_emails o WHERE o.case_id = c.id) AS mails
      FROM inbound_emails i LEFT JOIN cases c ON c.id = i.case_id ORDER BY i.id`)).replace(/K-\d+/g, 'K-n')) as Record<string, unknown>[];
    const together = await prepared();
    const oneByOne = await prepared();
    try {
      await storeInboundMany(together.kept.ctx, mixed);
      const before = filingTogether.messages;
      await together.runTimers();
      assert.equal(filingTogether.messages - before, 1, 'Eve alone is filed together: Ada wrote twice, Cy answers Bo, Dee is a machine');
      for (const m of mixed) {
        const [id] = await storeInboundMany(oneByOne.kept.ctx, [m]);
        assert.ok(await processInbound(oneByOne.kept.ctx, id!));
      }
      const a = await story(together);
      assert.equal(a.length, mixed.length);
      assert.deepEqual(a.map((r) => r.status), ['processed', 'processed', 'processed', 'processed', 'ignored', 'processed']);
      assert.deepEqual(a, await story(oneByOne));
    } finally {
      await together.close();
      await oneByOne.close();
    }
  });
});
