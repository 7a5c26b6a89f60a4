import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startKept, type TestKept } from '../helpers/app';
import { DAY, HOUR, MINUTE } from '../../src/core/clock';

type Client = Awaited<ReturnType<TestKept['signedIn']>>;

describe('empowered staff and service recovery', { timeout: 60_000 }, () => {
  let k: TestKept;
  let admin: Client;
  let lead: Client;
  let agent: Client;
  let teamId: number;
  before(async () => {
    k = await startKept({ now: '2026-04-06T09:00:00Z' });
    admin = await k.signedIn('admin');
    const dept = (await admin.post('/departments', { name: 'Customer Service' })).body;
    lead = await k.signedIn('lead', { name: 'Lena Lead', departmentId: dept.id });
    teamId = (await admin.post('/teams', { name: 'Front Line', departmentId: dept.id, leadId: lead.id })).body.id;
    await admin.patch(`/staff/${lead.id}`, { teamId });
    agent = await k.signedIn('agent', { name: 'Ari Agent', teamId, departmentId: dept.id });
    assert.equal((await admin.put('/authority-limits', { kind: 'refund', role: 'agent', amount: 50, currency: 'EUR' })).status, 200);
    assert.equal((await admin.put('/authority-limits', { kind: 'credit', role: 'agent', amount: 0, currency: 'EUR' })).status, 200);
    assert.equal((await admin.post('/policy-rules', { kind: 'credit', description: 'Goodwill credit for customers in good standing', maxAmount: 30, currency: 'EUR', noClaimDays: 90 })).status, 201);
  });
  after(() => k.close());

  const aCase = async (who: Client, customer: object = { name: `Customer ${Math.random()}` }) =>
    (await who.post('/cases', { subject: 'Refund please', channel: 'phone', customer })).body;

  it('within authority a decision is immediate; above it, an approval request to the lead, who declines with a reason the agent sees', async () => {
    const c = await aCase(agent);
    const small = await agent.post(`/cases/${c.id}/decisions`, { kind: 'refund', amount: 40, currency: 'EUR', reason: 'Late delivery' });
    assert.equal(small.status, 201, JSON.stringify(small.body));
    assert.deepEqual([small.body.status, small.body.withinAuthority, small.body.approverId], ['approved', true, null]);

    const big = await agent.post(`/cases/${c.id}/decisions`, { kind: 'refund', amount: 80, currency: 'EUR', reason: 'Whole order was damaged' });
    assert.deepEqual([big.body.status, big.body.withinAuthority, big.body.approverId], ['pending', false, lead.id]);
    const waiting = (await lead.get('/my-work')).body.approvals;
    assert.deepEqual(waiting.map((a: { id: number }) => a.id), [big.body.id], 'the request is in the lead\'s My work');
    assert.equal((await agent.post(`/decisions/${big.body.id}/approve`)).status, 403, 'nobody approves their own request');

    k.clock.advance(25 * MINUTE);
    const declined = await lead.post(`/decisions/${big.body.id}/decline`, { reason: 'Replace the damaged items instead of refunding' });
    assert.equal(declined.status, 200);
    assert.equal(declined.body.declineReason, 'Replace the damaged items instead of refunding');
    const told = (await agent.get('/notifications')).body.items.find((n: { kind: string }) => n.kind === 'approval_declined');
    assert.match(told.message, /Replace the damaged items/);
    const kinds = (await agent.get(`/cases/${c.id}/timeline`)).body.items.map((e: { kind: string }) => e.kind);
    assert.deepEqual(kinds.filter((x: string) => x.startsWith('decision')), ['decision_made', 'decision_requested', 'decision_declined']);
  });

  it('a personal limit replaces the role limit', async () => {
    const senior = await k.signedIn('agent', { teamId });
    await admin.put('/authority-limits', { kind: 'refund', staffId: senior.id, amount: 200, currency: 'EUR' });
    const c = await aCase(senior);
    assert.equal((await senior.post(`/cases/${c.id}/decisions`, { kind: 'refund', amount: 150, currency: 'EUR', reason: 'Loyal customer' })).body.status, 'approved');
  });

  it('the benefit of the doubt: a 30 claim is approved at once for a customer with no claim in 90 days, and not for one with a claim last week', async () => {
    const clean = await aCase(agent);
    const ok = await agent.post(`/cases/${clean.id}/decisions`, { kind: 'credit', amount: 30, currency: 'EUR', reason: 'Inconvenience' });
    assert.deepEqual([ok.body.status, ok.body.withinAuthority, ok.body.autoRuleId !== null], ['approved', false, true]);

    const repeat = await aCase(agent);
    await agent.post(`/cases/${repeat.id}/decisions`, { kind: 'refund', amount: 10, currency: 'EUR', reason: 'Earlier claim' });
    k.clock.advance(7 * DAY);
    const again = await agent.post(`/cases/${repeat.id}/decisions`, { kind: 'credit', amount: 30, currency: 'EUR', reason: 'Inconvenience again' });
    assert.deepEqual([again.body.status, again.body.autoRuleId], ['pending', null]);
    await lead.post(`/decisions/${again.body.id}/approve`);
  });

  it('a broken promise opens a recovery owned by its owner; the fix 23 h later is "recovered"', async () => {
    const c = await aCase(agent);
    const p = (await agent.post(`/cases/${c.id}/commitments`, { text: 'Call back by 11:00', dueAt: new Date(k.clock.now().getTime() + HOUR).toISOString() })).body;
    k.clock.advance(HOUR + MINUTE);
    await k.runTimers();
    const [r] = (await agent.get(`/recoveries?case=${c.id}`)).body.items;
    assert.deepEqual([r.source, r.ownerId, r.status, r.sourceRef], ['broken_commitment', agent.id, 'open', `commitment:${p.id}`]);
    assert.equal(new Date(r.dueAt).getTime() - new Date(r.openedAt).getTime(), 24 * HOUR);
    const mine = (await agent.get('/my-work')).body.recoveries;
    assert.ok(mine.some((x: { id: number }) => x.id === r.id), 'on the clock in My work');
    await k.runTimers();
    assert.equal((await agent.get(`/recoveries?case=${c.id}`)).body.items.length, 1, 'one failure, one recovery');

    assert.equal((await agent.post(`/recoveries/${r.id}/apology`, { how: 'Called her and apologised personally' })).status, 200);
    k.clock.advance(23 * HOUR);
    const fixed = await agent.post(`/recoveries/${r.id}/fix`, { what: 'Rebooked the engineer for tomorrow 08:00' });
    assert.equal(fixed.body.status, 'recovered');
    const surprise = await agent.post(`/recoveries/${r.id}/surprise`, { what: 'Sent flowers with the engineer' });
    assert.ok(surprise.body.surpriseAt);
  });

  it('the fix 25 h later is "late"', async () => {
    const c = await aCase(agent);
    const r = (await agent.post(`/cases/${c.id}/recoveries`, { note: 'We sent the wrong colour' })).body;
    assert.deepEqual([r.source, r.ownerId], ['staff', agent.id]);
    k.clock.advance(25 * HOUR);
    assert.equal((await agent.post(`/recoveries/${r.id}/fix`, { what: 'Right colour delivered' })).body.status, 'late');
    const warehouse = (await admin.post('/departments', { name: 'Warehouse' })).body;
    assert.equal((await agent.patch(`/recoveries/${r.id}`, { causedByDepartmentId: warehouse.id })).status, 200);
    const theirs = (await admin.get(`/recoveries?department=${warehouse.id}`)).body.items;
    assert.deepEqual(theirs.map((x: { id: number }) => x.id), [r.id], 'the department sees the recoveries its work caused');
  });

  it('a complaint opens a recovery, and a hand-over takes it to the new owner', async () => {
    const other = await k.signedIn('agent', { teamId });
    const c = (await agent.post('/cases', { subject: 'Rude driver', channel: 'email', type: 'complaint', customer: { name: 'Pat' } })).body;
    const offer = (await agent.post(`/cases/${c.id}/handovers`, { toStaffId: other.id, note: 'complaint about logistics' })).body;
    await other.post(`/handovers/${offer.id}/accept`);
    await k.runTimers(); // recoveries react to the complaint and the hand-over
    const [r] = (await other.get(`/recoveries?case=${c.id}`)).body.items;
    assert.deepEqual([r.source, r.ownerId], ['complaint', other.id]);
  });

  it('figures match hand-computed values on a fixed data set', async () => {
    const fresh = await startKept({ now: '2026-05-04T09:00:00Z' });
    try {
      const a = await fresh.signedIn('admin');
      const l = await fresh.signedIn('lead');
      const t = (await a.post('/teams', { name: 'T', leadId: l.id })).body.id;
      const ag = await fresh.signedIn('agent', { teamId: t });
      await a.put('/authority-limits', { kind: 'refund', role: 'agent', amount: 50, currency: 'EUR' });
      const c = (await ag.post('/cases', { subject: 's', channel: 'web', customer: { name: 'F' } })).body;
      const d = (amount: number) => ag.post(`/cases/${c.id}/decisions`, { kind: 'refund', amount, currency: 'EUR', reason: 'r' });
      await d(10); await d(20); await d(30); // within authority
      const x = (await d(60)).body; // escalated, answered after 30 min
      const y = (await d(70)).body; // escalated, answered after 90 min
      fresh.clock.advance(30 * MINUTE);
      await l.post(`/decisions/${x.id}/approve`);
      fresh.clock.advance(60 * MINUTE);
      await l.post(`/decisions/${y.id}/decline`, { reason: 'no' });
      const [fig] = (await a.get('/decisions/figures')).body.items;
      assert.deepEqual([fig.decisions, fig.withinAuthority, fig.escalated], [5, 3, 2]);
      assert.equal(fig.escalationRate, 0.4);
      assert.equal(fig.shareWithinAuthority, 0.6);
      assert.equal(fig.meanApprovalWaitMinutes, 60);

      // recoveries: 3 by hand; fixed after 2 h (+surprise) and 30 h; one left open
      const r1 = (await ag.post(`/cases/${c.id}/recoveries`, { note: 'one' })).body;
      const r2 = (await ag.post(`/cases/${c.id}/recoveries`, { note: 'two' })).body;
      await ag.post(`/cases/${c.id}/recoveries`, { note: 'three' });
      fresh.clock.advance(2 * HOUR);
      await ag.post(`/recoveries/${r1.id}/fix`, { what: 'fixed' });
      await ag.post(`/recoveries/${r1.id}/surprise`, { what: 'voucher' });
      fresh.clock.advance(28 * HOUR);
      await ag.post(`/recoveries/${r2.id}/fix`, { what: 'fixed late' });
      await ag.post(`/recoveries/${r1.id}/follow-up`, { loyaltyAfter: 9 });
      const f = (await a.get('/recoveries/figures')).body;
      assert.deepEqual([f.opened, f.fixed, f.fixedWithin24h, f.surprised], [3, 2, 1, 1]);
      assert.equal(f.shareFixedWithin24h, 1 / 3);
      assert.equal(f.meanHoursToFix, (2 + 30) / 2);
      assert.equal(f.surpriseRate, 0.5);
      assert.deepEqual(f.bySource, { staff: 3 });
    } finally {
      await fresh.close();
    }
  });

  it('an approval not answered in time goes up to a manager', async () => {
    const manager = await k.signedIn('manager');
    const lonely = await k.signedIn('lead', { name: 'Lone Lead' });
    const team = (await admin.post('/teams', { name: 'Night shift', leadId: lonely.id })).body;
    const nightAgent = await k.signedIn('agent', { teamId: team.id });
    const c = await aCase(nightAgent);
    const d = (await nightAgent.post(`/cases/${c.id}/decisions`, { kind: 'refund', amount: 90, currency: 'EUR', reason: 'big' })).body;
    assert.equal(d.approverId, lonely.id);
    k.clock.advance(5 * HOUR);
    await k.runTimers();
    const after = (await admin.get(`/decisions/${d.id}`)).body;
    assert.equal(after.approverId, manager.id);
    assert.ok(after.escalatedAt);
  });
});
