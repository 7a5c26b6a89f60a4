import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createKept, type Kept } from '../../src/app';
import { startKept, type TestKept } from '../helpers/app';

describe('live updates across instances, and respectful replies', { timeout: 30_000 }, () => {
  let k: TestKept;
  let second: Kept;
  let secondUrl: string;
  before(async () => {
    k = await startKept({ now: new Date().toISOString() });
    // A second app instance on the same database, as behind a load balancer.
    second = await createKept({ databaseUrl: k.databaseUrl, clock: k.clock, logLevel: 'silent', autoTimers: false, poolSize: 3 });
    secondUrl = await second.http.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await second?.close();
    await k?.close();
  });

  it('a hand-over offered through one instance reaches the receiver streaming from another', async () => {
    const a = await k.signedIn('agent');
    const b = await k.signedIn('agent');
    const c = (await a.post('/cases', { subject: 'Live one', channel: 'chat', customer: { name: 'Noor' } })).body;
    const { token } = (await b.post('/auth/tokens', { name: 'stream' })).body;
    const controller = new AbortController();
    const res = await fetch(`${secondUrl}/api/v1/live`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
    assert.equal(res.headers.get('content-type'), 'text/event-stream');
    const reader = res.body!.getReader();
    const received: string[] = [];
    const until = (pattern: RegExp) => (async () => {
      const deadline = Date.now() + 5000;
      while (!received.join('').match(pattern)) {
        if (Date.now() > deadline) throw new Error(`no event matching ${pattern}; got ${received.join('')}`);
        const { value } = await reader.read();
        received.push(new TextDecoder().decode(value));
      }
    })();
    await new Promise((r) => setTimeout(r, 100)); // the stream is subscribed
    await a.post(`/cases/${c.id}/handovers`, { toStaffId: b.id, note: 'over to you' });
    await until(new RegExp(`"type":"notification","staffId":${b.id},"kind":"handover_offered","caseId":${c.id}`));
    await until(new RegExp(`"type":"case","caseId":${c.id},"kind":"handover_offered"`));
    // and nobody else's notifications are sent down B's stream
    const other = await k.signedIn('agent');
    await a.post(`/cases/${(await a.post('/cases', { subject: 'x', channel: 'chat', customer: { name: 'Y' } })).body.id}/handovers`, { toStaffId: other.id, note: 'not for b' });
    await new Promise((r) => setTimeout(r, 300));
    controller.abort();
    assert.ok(!received.join('').includes(`"staffId":${other.id}`), 'only my own notifications reach me');
  });

  it('a reply whose greeting contradicts the form of address is refused and nothing is sent', async () => {
    const a = await k.signedIn('agent');
    const customer = (await a.post('/customers', { name: 'Ada Okafor', title: 'Mrs', givenName: 'Ada', familyName: 'Okafor' })).body;
    const c = (await a.post('/cases', { subject: 'Cushion', channel: 'email', customerId: customer.id })).body;
    const wrong = await a.post(`/cases/${c.id}/replies`, { body: 'Hi Ada,\n\nthanks!' });
    assert.equal(wrong.status, 422);
    assert.deepEqual([wrong.body.errors[0].field, wrong.body.errors[0].rule], ['body.body', 'salutation']);
    assert.match(wrong.body.detail, /addressed as "Mrs Okafor"/);
    const entries = await k.sql<{ n: number }>(`SELECT count(*)::int AS n FROM case_entries WHERE case_id = $1 AND kind = 'outbound_reply'`, [c.id]);
    assert.equal(entries[0]!.n, 0);
    assert.equal((await a.post(`/cases/${c.id}/replies`, { body: 'Dear Mrs Okafor,\n\nthank you.' })).status, 201);
    await a.patch(`/customers/${customer.id}`, { firstNameOk: true });
    assert.equal((await a.post(`/cases/${c.id}/replies`, { body: 'Hi Ada,\n\nall sorted.' })).status, 201, 'once first name is allowed, it is right');
  });

  it('offensive language is refused with the words to remove', async () => {
    const a = await k.signedIn('agent');
    const c = (await a.post('/cases', { subject: 'Rude', channel: 'email', customer: { name: 'Sam' } })).body;
    const res = await a.post(`/cases/${c.id}/replies`, { body: 'This is a shit situation, sorry.' });
    assert.equal(res.status, 422);
    assert.equal(res.body.errors[0].rule, 'offensive_language');
    assert.match(res.body.detail, /"shit"/);
  });
});
