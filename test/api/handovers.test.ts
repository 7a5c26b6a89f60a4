import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startKept, type TestKept } from '../helpers/app';
import { HOUR, MINUTE } from '../../src/core/clock';

describe('hand-overs: the handshake', () => {
  let k: TestKept;
  let admin: Awaited<ReturnType<TestKept['signedIn']>>;
  before(async () => {
    k = await startKept();
    admin = await k.signedIn('admin');
    await admin.patch('/settings', { handoverExpiryMinutes: 30 });
  });
  after(() => k.close());

  async function aCase(owner: Awaited<ReturnType<TestKept['signedIn']>>, subject = 'Parcel never arrived') {
    const res = await owner.post('/cases', { subject, channel: 'email', customer: { name: 'Ada Okafor', emails: [`ada${Math.random()}@example.com`] } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  }

  it('ownership moves only when the receiver accepts', async () => {
    const a = await k.signedIn('agent', { name: 'Aisha' });
    const b = await k.signedIn('agent', { name: 'Bruno' });
    const c = await aCase(a);
    assert.equal(c.ownerId, a.id);

    const offer = await a.post(`/cases/${c.id}/handovers`, { toStaffId: b.id, note: 'Customer waiting on a refund; carrier confirmed loss.' });
    assert.equal(offer.status, 201, JSON.stringify(offer.body));
    assert.equal((await a.get(`/cases/${c.id}`)).body.ownerId, a.id, 'offerer still owns the case while the offer is pending');

    const inbox = await b.get('/handovers?to=me&status=pending');
    assert.deepEqual(inbox.body.items.map((h: { id: number }) => h.id), [offer.body.id]);

    const accepted = await b.post(`/handovers/${offer.body.id}/accept`);
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    assert.equal((await b.get(`/cases/${c.id}`)).body.ownerId, b.id);

    const kinds = (await b.get(`/cases/${c.id}/timeline`)).body.items.map((e: { kind: string }) => e.kind);
    assert.deepEqual(kinds.filter((x: string) => x.startsWith('handover')), ['handover_offered', 'handover_accepted']);
    const audit = (await admin.get(`/cases/${c.id}/audit`)).body.items;
    const transfer = audit.find((e: { action: string }) => e.action === 'transfer_ownership');
    assert.deepEqual([transfer.before.ownerId, transfer.after.ownerId, transfer.actorId], [a.id, b.id, b.id]);

    const notes = (await a.get('/notifications')).body.items.map((n: { kind: string }) => n.kind);
    assert.ok(notes.includes('handover_accepted'), 'the offerer hears that the case was accepted');
  });

  it('a second offer is refused while one is pending', async () => {
    const a = await k.signedIn('agent');
    const b = await k.signedIn('agent');
    const d = await k.signedIn('agent');
    const c = await aCase(a);
    assert.equal((await a.post(`/cases/${c.id}/handovers`, { toStaffId: b.id, note: 'first' })).status, 201);
    const second = await a.post(`/cases/${c.id}/handovers`, { toStaffId: d.id, note: 'second' });
    assert.equal(second.status, 409);
    assert.match(second.headers.get('content-type')!, /application\/problem\+json/);
    assert.match(second.body.detail, /already has a hand-over waiting/);
  });

  it('two simultaneous offers on one case resolve to exactly one winner', async () => {
    const a = await k.signedIn('agent');
    const b = await k.signedIn('agent');
    const d = await k.signedIn('agent');
    const c = await aCase(a);
    const results = await Promise.all([
      a.post(`/cases/${c.id}/handovers`, { toStaffId: b.id, note: 'to b' }),
      a.post(`/cases/${c.id}/handovers`, { toStaffId: d.id, note: 'to d' }),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), [201, 409]);
    const pending = await k.sql(`SELECT count(*)::int AS n FROM handovers WHERE case_id = $1 AND status = 'pending'`, [c.id]);
    assert.equal(pending[0]!.n, 1);
  });

  it('an offer not accepted in time returns to the offerer and alerts them', async () => {
    const a = await k.signedIn('agent');
    const b = await k.signedIn('agent');
    const c = await aCase(a);
    const offer = await a.post(`/cases/${c.id}/handovers`, { toStaffId: b.id, note: 'please take over, I am on leave tomorrow' });
    k.clock.advance(29 * MINUTE);
    await k.runTimers();
    assert.equal((await a.get(`/handovers/${offer.body.id}`)).body.status, 'pending');
    k.clock.advance(2 * MINUTE);
    await k.runTimers();
    assert.equal((await a.get(`/handovers/${offer.body.id}`)).body.status, 'expired');
    assert.equal((await a.get(`/cases/${c.id}`)).body.ownerId, a.id);
    const alerts = (await a.get('/notifications?unread=true')).body.items;
    assert.ok(alerts.some((n: { kind: string; caseId: number }) => n.kind === 'handover_expired' && n.caseId === c.id));
    const late = await b.post(`/handovers/${offer.body.id}/accept`);
    assert.equal(late.status, 409, 'an expired offer can no longer be accepted');
    // expiry fires once: running the timers again changes nothing
    k.clock.advance(HOUR);
    assert.equal(await k.runTimers(), 0);
  });

  it('the receiver may decline with a reason, and only the receiver may answer', async () => {
    const a = await k.signedIn('agent');
    const b = await k.signedIn('agent');
    const stranger = await k.signedIn('agent');
    const c = await aCase(a);
    const offer = await a.post(`/cases/${c.id}/handovers`, { toStaffId: b.id, note: 'billing question' });
    assert.equal((await stranger.post(`/handovers/${offer.body.id}/accept`)).status, 403);
    const noReason = await b.post(`/handovers/${offer.body.id}/decline`, { reason: '  ' });
    assert.equal(noReason.status, 400);
    const declined = await b.post(`/handovers/${offer.body.id}/decline`, { reason: 'Billing belongs to finance, not logistics' });
    assert.equal(declined.status, 200);
    assert.equal(declined.body.declineReason, 'Billing belongs to finance, not logistics');
    assert.equal((await a.get(`/cases/${c.id}`)).body.ownerId, a.id);
  });

  it('a hand-over without a context note is refused', async () => {
    const a = await k.signedIn('agent');
    const b = await k.signedIn('agent');
    const c = await aCase(a);
    const res = await a.post(`/cases/${c.id}/handovers`, { toStaffId: b.id });
    assert.equal(res.status, 400);
    assert.ok(res.body.errors.some((e: { field: string }) => e.field === 'body.note'));
  });

  it('a team may be offered a case, and any member accepts it', async () => {
    const team = (await admin.post('/teams', { name: 'Returns' })).body;
    const a = await k.signedIn('agent');
    const member = await k.signedIn('agent', { teamId: team.id });
    const c = await aCase(a);
    const offer = await a.post(`/cases/${c.id}/handovers`, { toTeamId: team.id, note: 'a return for your team' });
    assert.equal(offer.status, 201);
    const res = await member.post(`/handovers/${offer.body.id}/accept`);
    assert.equal(res.status, 200);
    assert.equal(res.body.case.ownerId, member.id);
    assert.equal(res.body.case.teamId, team.id);
  });

  it('a case passed on three times is flagged as a run-around, with time to accept per hand-over', async () => {
    const people = [await k.signedIn('agent'), await k.signedIn('agent'), await k.signedIn('agent'), await k.signedIn('agent')];
    const c = await aCase(people[0]!);
    for (let i = 0; i < 3; i++) {
      const offer = await people[i]!.post(`/cases/${c.id}/handovers`, { toStaffId: people[i + 1]!.id, note: `pass ${i + 1}` });
      k.clock.advance((i + 1) * MINUTE);
      assert.equal((await people[i + 1]!.post(`/handovers/${offer.body.id}/accept`)).status, 200);
      assert.equal((await people[0]!.get(`/cases/${c.id}`)).body.runAround, i + 1 >= 3);
    }
    const { figures } = (await people[0]!.get(`/cases/${c.id}/handovers`)).body;
    assert.equal(figures.handovers, 3);
    assert.deepEqual(figures.secondsToAccept, [60, 120, 180]);
    assert.equal(figures.runAround, true);
  });
});
