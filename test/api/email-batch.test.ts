/**
 * Stored mail is filed in batches, one transaction with a savepoint per message: a message that
 * fails half-way is rolled back alone and quarantined, and the rest of its batch is filed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startKept, type TestKept } from '../helpers/app';
import { storeInboundMany } from '../../src/email/ingest';

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
