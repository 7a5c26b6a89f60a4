import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startKept, type TestKept } from '../helpers/app';
import { smtpClient } from '../helpers/mail';
import { HOUR } from '../../src/core/clock';
import { beginDemoSeeding, finishDemoSeeding, recordDemoProgress } from '../../src/demo';

describe('while the demo year loads in the background', () => {
  let k: TestKept;
  before(async () => {
    k = await startKept({ now: '2026-03-02T09:00:00Z', mail: { receiver: { port: 0, host: '127.0.0.1', maxBytes: 512 * 1024 } } });
  });
  after(() => k.close());

  // The watch answers from memory for up to a second: give it that second before each look.
  const settle = () => new Promise((r) => setTimeout(r, 1100));

  it('an ordinary installation says nothing is loading, to anyone', async () => {
    const res = await k.anonymous().get('/demo/status');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { seeding: false, done: 0, total: 0, phase: null });
  });

  it('timers hold, writes wait with a clear answer and change nothing, sign-in and reading work; all resumes when it is done', async () => {
    const agent = await k.signedIn('agent');
    const c = (await agent.post('/cases', { subject: 'Where is my sofa?', channel: 'phone', customer: { name: 'Ada Okafor' } })).body;
    const promise = (await agent.post(`/cases/${c.id}/commitments`, { text: 'I will call you back by 11', dueAt: new Date(k.clock.now().getTime() + HOUR).toISOString() })).body;

    await beginDemoSeeding(k.kept.db);
    await recordDemoProgress(k.kept.db, { phase: 'year', done: 430, total: 1000 });
    await settle();
    assert.deepEqual((await k.anonymous().get('/demo/status')).body, { seeding: true, done: 430, total: 1000, phase: 'year' });

    k.clock.advance(2 * HOUR);
    await k.runTimers();
    assert.equal((await agent.get(`/commitments/${promise.id}`)).body.status, 'open', 'no timer acts while the simulated year is written');

    const refused = await agent.post(`/cases/${c.id}/notes`, { body: 'Called, no answer' });
    assert.equal(refused.status, 503);
    assert.match(refused.body.detail, /demo year is still being written/);
    const timeline = (await agent.get(`/cases/${c.id}/timeline`)).body.items as { kind: string }[];
    assert.ok(!timeline.some((e) => e.kind === 'note'), 'the refused note was not written');
    const mail = { from: 'ada@example.test', to: 'support@acme.test', subject: 'My sofa again', text: 'Any news?' };
    await assert.rejects(smtpClient(k.kept.smtpPort!).sendMail(mail), /451/, 'mail is turned away for now (the sender retries), not acknowledged and then dropped by a restart on a clean slate');
    const someone = k.anonymous();
    assert.equal((await someone.post('/auth/sign-in', { email: 'nobody@example.test', password: 'wrong password' })).status, 401, 'signing in is answered as usual');

    await finishDemoSeeding(k.kept.db);
    await settle();
    assert.deepEqual((await k.anonymous().get('/demo/status')).body, { seeding: false, done: 1000, total: 1000, phase: 'done' });
    await k.runTimers();
    assert.equal((await agent.get(`/commitments/${promise.id}`)).body.status, 'broken', 'the held timer fires once the year is complete');
    assert.equal((await agent.post(`/cases/${c.id}/notes`, { body: 'Called, no answer' })).status, 201);
    await smtpClient(k.kept.smtpPort!).sendMail(mail);
  });
});
