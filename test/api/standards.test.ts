import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startKept, type TestKept } from '../helpers/app';
import { HOUR, MINUTE } from '../../src/core/clock';

describe('service standards: the expectation told to the customer', () => {
  let k: TestKept;
  let admin: Awaited<ReturnType<TestKept['signedIn']>>;
  let agent: Awaited<ReturnType<TestKept['signedIn']>>;
  before(async () => {
    k = await startKept({ now: '2026-05-22T15:30:00Z' }); // Friday 16:30 in London (BST)
    admin = await k.signedIn('admin');
    agent = await k.signedIn('agent');
    const hours = ['mon', 'tue', 'wed', 'thu', 'fri'].reduce((h, d) => ({ ...h, [d]: [['09:00', '17:00']] }), {});
    assert.equal((await admin.patch('/settings', { name: 'Acme', timeZone: 'Europe/London', businessHours: hours })).status, 200);
    assert.equal((await admin.put('/holidays/2026-05-25', { name: 'Spring bank holiday' })).status, 200);
    assert.equal((await admin.post('/standards', { caseType: 'complaint', channel: 'email', firstResponseMinutes: 240, resolutionMinutes: 960 })).status, 201);
    assert.equal((await admin.post('/standards', { firstResponseMinutes: 480, resolutionMinutes: 2400 })).status, 201);
  });
  after(() => k.close());

  const newCase = (extra: object = {}) =>
    agent.post('/cases', { subject: 'Damaged sofa', channel: 'email', type: 'complaint', customer: { name: 'Ada Okafor', title: 'Mrs', familyName: 'Okafor', emails: [`a${Math.random()}@example.com`] }, ...extra });

  it('a case opened Friday 16:30 with a 4-business-hour standard, Monday a holiday, is expected Tuesday 12:30', async () => {
    const res = await newCase();
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.firstResponseDueAt, '2026-05-26T11:30:00.000Z'); // 12:30 London time
    const stored = (await agent.get(`/cases/${res.body.id}`)).body;
    assert.equal(stored.firstResponseDueAt, '2026-05-26T11:30:00.000Z');
    const opened = (await agent.get(`/cases/${res.body.id}/timeline`)).body.items[0];
    assert.equal(opened.kind, 'case_opened');
    assert.equal(opened.data.firstResponseDueAt, '2026-05-26T11:30:00.000Z');
  });

  it('the most specific standard applies, and the expectation can be previewed', async () => {
    const preview = await agent.get('/standards/expectation?caseType=question&channel=phone&at=2026-05-22T15:30:00Z');
    assert.equal(preview.status, 200);
    // default standard: 8 business hours from Friday 16:30 → Tuesday 16:30 London
    assert.equal(preview.body.firstResponseDueAt, '2026-05-26T15:30:00.000Z');
  });

  it('a reply in time meets the first-response standard', async () => {
    const c = (await newCase()).body;
    k.clock.set('2026-05-26T09:00:00Z');
    assert.equal((await agent.post(`/cases/${c.id}/replies`, { body: 'Dear Mrs Okafor, we are on it.' })).status, 201);
    const std = (await agent.get(`/commitments?case=${c.id}&kind=first_response`)).body.items[0];
    assert.equal(std.status, 'kept');
    k.clock.set('2026-05-22T15:30:00Z');
  });

  it('a missed standard is recorded as a broken commitment of the organisation', async () => {
    const c = (await newCase()).body;
    k.clock.set('2026-05-26T11:31:00Z');
    await k.runTimers();
    const std = (await agent.get(`/commitments?case=${c.id}&kind=first_response`)).body.items[0];
    assert.equal(std.status, 'broken');
    assert.equal(std.ownerId, null, 'the organisation, not a person, broke this one');
    const kinds = (await agent.get(`/cases/${c.id}/timeline`)).body.items.map((e: { kind: string }) => e.kind);
    assert.ok(kinds.includes('standard_missed'));
    const alerts = (await agent.get('/notifications')).body.items;
    assert.ok(alerts.some((n: { kind: string; caseId: number }) => n.kind === 'standard_missed' && n.caseId === c.id), 'the case owner is alerted');
    k.clock.set('2026-05-22T15:30:00Z');
  });

  it('the clock stops while the case waits on the customer', async () => {
    k.clock.set('2026-05-27T09:00:00Z'); // Wednesday 10:00 London
    const c = (await newCase()).body;
    assert.equal(c.resolutionDueAt, '2026-05-29T09:00:00.000Z'); // 16 business hours: Friday 10:00
    k.clock.advance(HOUR);
    assert.equal((await agent.patch(`/cases/${c.id}`, { status: 'waiting_on_customer' })).status, 200);
    k.clock.advance(48 * HOUR); // Friday 11:00 London: would be past due if the clock ran
    await k.runTimers();
    assert.equal((await agent.get(`/commitments?case=${c.id}&kind=resolution`)).body.items[0].status, 'open');
    const back = await agent.post(`/cases/${c.id}/messages`, { body: 'Here are the photos you asked for.' });
    assert.equal(back.status, 201);
    const after = (await agent.get(`/cases/${c.id}`)).body;
    assert.equal(after.status, 'waiting_on_us');
    // 15 business hours were left at the pause (Wed 11:00 → Thu 17:00); from Fri 11:00 that is Tue 10:00 London
    assert.equal(after.resolutionDueAt, '2026-06-02T09:00:00.000Z');
    k.clock.set('2026-05-22T15:30:00Z');
  });

  it('resolving the case meets its resolution standard', async () => {
    const c = (await newCase()).body;
    k.clock.advance(30 * MINUTE);
    await agent.patch(`/cases/${c.id}`, { status: 'resolved' });
    const items = (await agent.get(`/commitments?case=${c.id}`)).body.items;
    assert.deepEqual(items.map((i: { status: string }) => i.status), ['kept', 'kept']);
  });
});
