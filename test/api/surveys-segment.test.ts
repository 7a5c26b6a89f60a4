/**
 * A relationship survey to a whole segment: the sender sees the count first, every customer who
 * may be asked is asked with a link of their own, and the send's progress is there to follow.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startKept, type TestKept } from '../helpers/app';
import { startSink, type Sink } from '../helpers/mail';

describe('surveys: a relationship survey to a segment', { timeout: 60_000 }, () => {
  let k: TestKept;
  let sink: Sink;
  let admin: Awaited<ReturnType<TestKept['signedIn']>>;
  let surveyId: number;
  const gold: number[] = [];

  before(async () => {
    sink = await startSink();
    k = await startKept({ now: '2026-06-01T08:00:00Z', mail: { transportUrl: `smtp://127.0.0.1:${sink.port}`, from: 'Acme <support@acme.test>' } });
    admin = await k.signedIn('admin');
    await admin.patch('/settings', { name: 'Acme', surveyCooldownDays: 30 });
    for (let i = 0; i < 8; i++) {
      const c = await admin.post('/customers', { name: `Gold ${i}`, segment: 'gold', ...(i === 7 ? {} : { emails: [`gold${i}@example.com`] }) });
      gold.push(c.body.id);
    }
    await admin.post('/customers', { name: 'Silver One', segment: 'silver', emails: ['silver@example.com'] });
    surveyId = (await admin.post('/surveys', { name: 'Yearly relationship', trigger: 'relationship', questions: [{ kind: 'nps' }] })).body.id;
    // One erased on request, one asked a week ago: neither is asked again.
    assert.equal((await admin.post(`/customers/${gold[5]}/erase`, { reason: 'The customer asked to be forgotten' })).status, 200);
    assert.equal((await admin.post(`/surveys/${surveyId}/invitations`, { customerId: gold[6] })).status, 201);
    k.clock.advance(7 * 24 * 3600_000);
  });
  after(async () => {
    await k?.close();
    await sink?.close();
  });

  it('the sender sees how many would be asked; only admins may send, and a send without an audience is refused', async () => {
    const audience = await admin.get(`/surveys/${surveyId}/audience?segment=gold`);
    assert.equal(audience.status, 200);
    assert.deepEqual({ customers: audience.body.customers, eligible: audience.body.eligible }, { customers: 8, eligible: 6 });
    assert.deepEqual(audience.body.skipped, { 'erased on request': 1, 'asked recently, within the 30-day cooldown': 1 });
    // Narrowed to customers in touch lately: only the one with a case this month.
    assert.equal((await admin.post('/cases', { subject: 'Card declined', channel: 'phone', customerId: gold[0] })).status, 201);
    const recent = (await admin.get(`/surveys/${surveyId}/audience?segment=gold&contactedWithinDays=30`)).body;
    assert.deepEqual({ customers: recent.customers, eligible: recent.eligible }, { customers: 1, eligible: 1 });

    for (const role of ['manager', 'agent'] as const) {
      const staff = await k.signedIn(role);
      assert.equal((await staff.post(`/surveys/${surveyId}/send`, { segment: 'gold' })).status, 403);
      assert.equal((await staff.get(`/surveys/${surveyId}/audience?segment=gold`)).status, 403);
    }
    assert.equal((await admin.post(`/surveys/${surveyId}/send`, {})).status, 400);
    const rows = await k.sql<{ n: number }>('SELECT count(*)::int AS n FROM survey_invitations');
    assert.equal(rows[0]!.n, 1, 'refused sends invited nobody');
  });

  it('queues one invitation per customer who may be asked, each with its own link, and shows the progress', async () => {
    const res = await admin.post(`/surveys/${surveyId}/send`, { segment: 'gold' });
    assert.equal(res.status, 200);
    assert.equal(res.body.sent, 6, 'the segment minus the erased and the recently asked customer');
    const invitations = await k.sql<{ customer_id: number; token_hash: Buffer; channel: string }>(
      'SELECT customer_id, token_hash, channel FROM survey_invitations WHERE send_id = $1 ORDER BY customer_id', [res.body.sendId]);
    assert.deepEqual(invitations.map((i) => i.customer_id), [gold[0], gold[1], gold[2], gold[3], gold[4], gold[7]]);
    assert.equal(new Set(invitations.map((i) => i.token_hash.toString('hex'))).size, 6, 'tokens are unique');
    assert.equal(invitations.find((i) => i.customer_id === gold[7])!.channel, 'portal', 'no email address: the portal only');

    let progress = (await admin.get(`/survey-sends/${res.body.sendId}`)).body;
    assert.deepEqual(progress.progress, { queued: 5, sent: 0, failed: 0, portal: 1, answered: 0, completed: 0 });
    assert.equal(progress.invited, 6);

    await k.runTimers();
    await sink.waitFor(5);
    const mail = sink.received.find((m) => m.envelopeTo.includes('gold0@example.com'))!;
    assert.match(mail.text ?? '', /Dear Gold 0,/);
    const token = /\/s\/(sv_[A-Za-z0-9_-]{43})\b/.exec(mail.text ?? '')![1]!;
    // Only the hash is kept, as for a single invitation; the link opens this customer's survey.
    const stored = invitations.find((i) => i.customer_id === gold[0])!.token_hash;
    assert.equal(createHash('sha256').update(token).digest('hex'), stored.toString('hex'));
    assert.equal((await k.anonymous().post(`/public/surveys/${token}`, { answers: { nps: 9 }, complete: true })).status, 200);

    progress = (await admin.get(`/survey-sends/${res.body.sendId}`)).body;
    assert.deepEqual(progress.progress, { queued: 0, sent: 5, failed: 0, portal: 1, answered: 1, completed: 1 });
    const listed = (await admin.get(`/surveys/${surveyId}/sends`)).body.items;
    assert.equal(listed[0].id, res.body.sendId);
  });

  it('sending again at once asks nobody twice', async () => {
    const again = await admin.post(`/surveys/${surveyId}/send`, { segment: 'gold' });
    assert.equal(again.body.sent, 0);
    assert.equal(again.body.skipped['asked recently, within the 30-day cooldown'], 7);
  });
});
