import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startKept, type TestKept } from '../helpers/app';
import { smtpClient } from '../helpers/mail';
import { eventsWhen } from '../helpers/events';
import { HOUR } from '../../src/core/clock';

type Client = Awaited<ReturnType<TestKept['signedIn']>>;

describe('authority and ownership', { timeout: 60_000 }, () => {
  let k: TestKept;
  let admin: Client, admin2: Client, manager: Client, exec: Client;
  let leadA: Client, leadB: Client, owner: Client, colleague: Client, other: Client;
  let teamA: number, teamB: number;
  const attachmentsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kept-authority-'));
  let n = 0;

  before(async () => {
    k = await startKept({ now: '2026-03-02T09:00:00Z', mail: { receiver: { port: 0, host: '127.0.0.1', maxBytes: 256 * 1024 }, attachmentsDir } });
    admin = await k.signedIn('admin', { name: 'Ada Admin' });
    admin2 = await k.signedIn('admin', { name: 'Abe Admin' });
    manager = await k.signedIn('manager', { name: 'Mia Manager' });
    exec = await k.signedIn('executive');
    leadA = await k.signedIn('lead', { name: 'Lena Lead' });
    leadB = await k.signedIn('lead', { name: 'Lars Lead' });
    teamA = (await admin.post('/teams', { name: 'Front Line', leadId: leadA.id })).body.id;
    teamB = (await admin.post('/teams', { name: 'Billing', leadId: leadB.id })).body.id;
    await admin.patch(`/staff/${leadA.id}`, { teamId: teamA });
    await admin.patch(`/staff/${leadB.id}`, { teamId: teamB });
    owner = await k.signedIn('agent', { name: 'Olu Owner', teamId: teamA });
    colleague = await k.signedIn('agent', { name: 'Cleo Colleague', teamId: teamA });
    other = await k.signedIn('agent', { name: 'Otto Other', teamId: teamB });
    for (const [role, amount] of [['agent', 50], ['lead', 200], ['manager', 500], ['admin', 2000]] as const) {
      assert.equal((await admin.put('/authority-limits', { kind: 'refund', role, amount, currency: 'EUR' })).status, 200);
    }
  });
  after(async () => {
    await k?.close();
    fs.rmSync(attachmentsDir, { recursive: true, force: true });
  });

  const aCase = async (who: Client, extra: object = {}) => {
    const res = await who.post('/cases', { subject: 'Parcel lost', channel: 'phone', customer: { name: `Customer ${++n}` }, ...extra });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  };
  const refund = (who: Client, caseId: number, amount: number) =>
    who.post(`/cases/${caseId}/decisions`, { kind: 'refund', amount, currency: 'EUR', reason: 'Parcel lost in transit' });
  const kinds = async (caseId: number) => (await admin.get(`/cases/${caseId}/timeline`)).body.items as { kind: string; body: string | null }[];

  it('nobody approves their own request, whatever their role', async () => {
    const big = await refund(admin, (await aCase(admin)).id, 5000);
    assert.equal(big.body.status, 'pending');
    const mine = await admin.post(`/decisions/${big.body.id}/approve`);
    assert.equal(mine.status, 403);
    assert.match(mine.body.detail, /Nobody approves their own request/);

    const m = await refund(manager, (await aCase(manager)).id, 900);
    assert.equal(m.body.status, 'pending');
    assert.notEqual(m.body.approverId, manager.id, 'a manager with no team is never their own approver');
    assert.equal((await manager.post(`/decisions/${m.body.id}/approve`)).status, 403);
    assert.equal((await manager.post(`/decisions/${m.body.id}/decline`, { reason: 'never mind' })).status, 403);
    assert.equal((await admin.get(`/decisions/${m.body.id}`)).body.status, 'pending');
    assert.equal((await admin.post(`/decisions/${m.body.id}/approve`)).status, 200, 'the admin asked approves it');
  });

  it("an approval goes to the requester's team lead, else a manager or admin whose limit covers the amount", async () => {
    assert.equal((await refund(owner, (await aCase(owner)).id, 80)).body.approverId, leadA.id);
    const c = await aCase(leadA);
    assert.equal((await refund(leadA, c.id, 300)).body.approverId, manager.id, 'the lead asks a manager whose 500 covers 300');
    const high = await refund(leadA, c.id, 800);
    assert.equal(high.body.approverId, admin.id, "a manager's 500 does not cover 800: an admin's 2000 does");
    assert.equal((await manager.post(`/decisions/${high.body.id}/approve`)).status, 403, 'only the person asked answers');
  });

  it('with nobody to approve, the request waits unassigned and every admin is alerted', async () => {
    const c = await aCase(owner);
    const before = (await admin2.get('/notifications')).body.items.length;
    const d = await refund(owner, c.id, 9000);
    assert.equal(d.status, 201, JSON.stringify(d.body));
    assert.deepEqual([d.body.status, d.body.approverId], ['pending', leadA.id], 'the team lead is asked first');
    const none = await refund(manager, (await aCase(manager)).id, 9000);
    assert.deepEqual([none.body.status, none.body.approverId], ['pending', null]);
    for (const a of [admin, admin2]) {
      const alerts = (await a.get('/notifications')).body.items.filter((x: { kind: string }) => x.kind === 'approval_unassigned');
      assert.ok(alerts.some((x: { message: string }) => x.message.includes('9000.00 EUR')), 'every admin hears it waits');
    }
    assert.ok((await admin2.get('/notifications')).body.items.length > before);
    assert.equal((await admin2.post(`/decisions/${none.body.id}/approve`)).status, 403, 'an admin whose limit does not cover it may not answer');
    await admin.put('/authority-limits', { kind: 'refund', staffId: admin2.id, amount: 10_000, currency: 'EUR' });
    assert.equal((await admin2.post(`/decisions/${none.body.id}/approve`)).status, 200);
  });

  it('only the owner, their team lead, a manager or an admin changes a case; a lead of another team may not', async () => {
    const c = await aCase(owner);
    for (const who of [other, colleague, leadB]) {
      const closed = await who.patch(`/cases/${c.id}`, { status: 'closed' });
      assert.equal(closed.status, 403, JSON.stringify(closed.body));
      assert.match(closed.body.detail, /Olu Owner/, 'the answer says who may');
      assert.equal((await who.post(`/cases/${c.id}/replies`, { body: 'Dear customer, it is closed.' })).status, 403);
      assert.equal((await refund(who, c.id, 10)).status, 403);
      assert.equal((await who.post(`/cases/${c.id}/commitments`, { text: 'call back', dueAt: new Date(k.clock.now().getTime() + HOUR).toISOString() })).status, 403);
    }
    const after = (await admin.get(`/cases/${c.id}`)).body;
    assert.equal(after.status, 'open');
    assert.deepEqual((await kinds(c.id)).filter((e) => ['outbound_reply', 'decision_made', 'commitment_made'].includes(e.kind)), []);
    assert.equal((await leadA.patch(`/cases/${c.id}`, { priority: 'high' })).status, 200, "the case team's lead may");
    assert.equal((await manager.patch(`/cases/${c.id}`, { status: 'waiting_on_customer' })).status, 200);
    assert.equal((await admin.patch(`/cases/${c.id}`, { status: 'closed' })).status, 200);
  });

  it('anyone working cases may add an internal note, log a call and take an unowned case', async () => {
    const c = await aCase(owner);
    assert.equal((await other.post(`/cases/${c.id}/notes`, { body: 'I know this customer: call after 5 pm' })).status, 201);
    assert.equal((await other.post(`/cases/${c.id}/calls`, { body: 'Customer rang the billing line about this parcel' })).status, 201);
    const queued = await aCase(colleague, { ownerId: null, teamId: teamA });
    assert.equal(queued.ownerId, null);
    const taken = await other.post(`/cases/${queued.id}/take`);
    assert.equal(taken.status, 200);
    assert.equal(taken.body.ownerId, other.id);
    // Taken once: a second taker is told whose it is, by name, and how to get it.
    const again = await colleague.post(`/cases/${queued.id}/take`);
    assert.equal(again.status, 409);
    assert.match(String(again.body.detail), /already owned by Otto Other; ask them for a hand-over/);
  });

  it('executives never write to cases', async () => {
    const c = await aCase(owner);
    assert.equal((await exec.post(`/cases/${c.id}/notes`, { body: 'hello' })).status, 403);
    assert.equal((await exec.patch(`/cases/${c.id}`, { status: 'closed' })).status, 403);
    assert.equal((await exec.post('/cases', { subject: 'x', channel: 'phone', customer: { name: 'X' } })).status, 403);
  });

  it('only the owner of a promise, or whoever may change its case, keeps or renegotiates it', async () => {
    const c = await aCase(owner);
    const p = (await owner.post(`/cases/${c.id}/commitments`, { text: 'Call back by 11:00', dueAt: new Date(k.clock.now().getTime() + 2 * HOUR).toISOString() })).body;
    const move = { newDueAt: new Date(k.clock.now().getTime() + 5 * HOUR).toISOString(), customerTold: true, customerToldHow: 'phone' };
    assert.equal((await other.post(`/commitments/${p.id}/keep`)).status, 403);
    assert.equal((await other.post(`/commitments/${p.id}/renegotiate`, move)).status, 403);
    assert.deepEqual([(await owner.get(`/commitments/${p.id}`)).body.status, (await owner.get(`/commitments/${p.id}`)).body.renegotiations.length], ['open', 0]);
    assert.equal((await leadA.post(`/commitments/${p.id}/renegotiate`, move)).status, 200);
    assert.equal((await owner.post(`/commitments/${p.id}/keep`)).status, 200);
  });

  it("only the recovery's owner, or whoever may change its case, records its steps and follow-up", async () => {
    const c = await aCase(owner);
    const r = await other.post(`/cases/${c.id}/recoveries`, { note: 'We sent the wrong size' });
    assert.equal(r.status, 201, 'anyone may say "this was our OOPS"');
    assert.equal(r.body.ownerId, owner.id);
    for (const [p, body] of [['apology', { how: 'phone' }], ['fix', { what: 'sent the right size' }], ['follow-up', { loyaltyAfter: 9 }]] as const) {
      assert.equal((await other.post(`/recoveries/${r.body.id}/${p}`, body)).status, 403, p);
    }
    assert.equal((await other.patch(`/recoveries/${r.body.id}`, { causedByDepartmentId: null })).status, 403);
    const untouched = (await owner.get(`/recoveries/${r.body.id}`)).body;
    assert.deepEqual([untouched.apologyAt, untouched.fixAt, untouched.followUpAt], [null, null, null]);
    assert.equal((await owner.post(`/recoveries/${r.body.id}/fix`, { what: 'sent the right size' })).status, 200);
    assert.equal((await owner.post(`/recoveries/${r.body.id}/follow-up`, { loyaltyAfter: 9 })).status, 200, 'the real owner is not locked out');
  });

  it('a hand-over is offered by the owner or on their behalf, and answered only by the person it is offered to', async () => {
    const c = await aCase(owner);
    assert.equal((await other.post(`/cases/${c.id}/handovers`, { toStaffId: other.id, note: 'I will take it' })).status, 403);
    const offer = await leadA.post(`/cases/${c.id}/handovers`, { toStaffId: colleague.id, note: 'Olu is off sick; customer wants a callback' });
    assert.equal(offer.status, 201, 'the team lead offers on the owner\'s behalf');
    for (const who of [owner, other, leadA, admin]) assert.equal((await who.post(`/handovers/${offer.body.id}/accept`)).status, 403);
    assert.equal((await other.post(`/handovers/${offer.body.id}/withdraw`)).status, 403);
    assert.equal((await admin.get(`/cases/${c.id}`)).body.ownerId, owner.id);
    assert.equal((await colleague.post(`/handovers/${offer.body.id}/accept`)).status, 200);
    assert.equal((await admin.get(`/cases/${c.id}`)).body.ownerId, colleague.id);
  });

  it('a case is never opened with a colleague as its owner: it is offered with a hand-over', async () => {
    const before = (await k.sql<{ n: number }>('SELECT count(*)::int AS n FROM cases'))[0]!.n;
    const res = await owner.post('/cases', { subject: 'For Cleo', channel: 'phone', customer: { name: 'Gift' }, ownerId: colleague.id });
    assert.equal(res.status, 403);
    assert.match(res.body.detail, /hand-over/);
    assert.equal((await k.sql<{ n: number }>('SELECT count(*)::int AS n FROM cases'))[0]!.n, before);
    assert.equal((await aCase(owner, { ownerId: owner.id })).ownerId, owner.id);
  });

  it('new unowned cases for a routing team go round robin to available members under capacity, and the timeline says so', async () => {
    const team = (await admin.post('/teams', { name: 'Returns', autoAssign: true, openCaseCapacity: 2 })).body;
    assert.deepEqual([team.autoAssign, team.openCaseCapacity], [true, 2]);
    const r1 = await k.signedIn('agent', { name: 'Rae One', teamId: team.id });
    const r2 = await k.signedIn('agent', { name: 'Rik Two', teamId: team.id });
    const away = await k.signedIn('agent', { name: 'Ray Away', teamId: team.id });
    const off = await away.put('/staff/me/availability', { available: false });
    assert.deepEqual([off.status, off.body.available], [200, false]);
    const owners = [];
    for (let i = 0; i < 5; i++) owners.push((await aCase(owner, { ownerId: null, teamId: team.id })).ownerId);
    assert.deepEqual(owners, [r1.id, r2.id, r1.id, r2.id, null], 'nobody above 2 open cases; the unavailable are skipped');
    const cases = (await admin.get(`/cases?team=${team.id}`)).body.items as { id: number; status: string }[];
    const first = cases.at(-1)!;
    const routed = (await kinds(first.id)).find((e) => e.kind === 'case_routed')!;
    assert.equal(routed.body, 'Routed to Rae One by the Returns team rule');
    const waiting = (await kinds(cases[0]!.id)).find((e) => e.kind === 'case_routed')!;
    assert.match(waiting.body!, /Waiting in the Returns queue: everyone available in the team is at capacity/);
    assert.equal(cases[0]!.status, 'new');
    assert.equal((await aCase(owner, { teamId: team.id })).ownerId, owner.id, 'opening it yourself is not routed');
    // Integrations hear the same: one case.routed per routed case, naming the owner or the reason it waits.
    const events = await eventsWhen(admin, 'types=case.routed&limit=50', (es) => es.filter((e) => e.data.teamId === team.id).length >= 5);
    const mine = events.filter((e) => e.data.teamId === team.id);
    assert.deepEqual(mine.map((e) => e.data.ownerId), [r1.id, r2.id, r1.id, r2.id, null]);
    assert.equal(mine.at(-1)!.caseId, cases[0]!.id);
    assert.match(String(mine.at(-1)!.data.reason), /at capacity/);
  });

  it('cases arriving together never push anyone over capacity', async () => {
    const team = (await admin.post('/teams', { name: 'Rush', autoAssign: true, openCaseCapacity: 1 })).body;
    const people = [await k.signedIn('agent', { teamId: team.id }), await k.signedIn('agent', { teamId: team.id })];
    const opened = await Promise.all(Array.from({ length: 5 }, () => aCase(owner, { ownerId: null, teamId: team.id })));
    const owners = opened.map((c) => c.ownerId).filter((id) => id !== null).sort();
    assert.deepEqual(owners, people.map((p) => p.id).sort(), 'one case each, the rest wait in the queue');
  });

  it('inbound mail goes to the default team and the acknowledgement names the owner only when there is one', async () => {
    const team = (await admin.post('/teams', { name: 'Inbox', autoAssign: true, openCaseCapacity: 1 })).body;
    assert.equal((await admin.patch('/settings', { inboundTeamId: team.id })).body.inboundTeamId, team.id);
    assert.equal((await admin.patch('/settings', { inboundTeamId: 999_999 })).status, 422);
    const ina = await k.signedIn('agent', { name: 'Ina Inbox', teamId: team.id });
    const send = (from: string) => smtpClient(k.kept.smtpPort!).sendMail({ from, to: 'support@kept.test', subject: 'Broken lamp', text: 'The lamp arrived broken.' });
    await send('Pat Customer <pat@example.com>');
    await send('Sam Customer <sam@example.com>');
    await k.runTimers();
    const rows = await k.sql<{ case_id: number }>('SELECT case_id FROM inbound_emails ORDER BY id');
    const [routed, queued] = await Promise.all(rows.map(async (r) => (await admin.get(`/cases/${r.case_id}`)).body));
    assert.deepEqual([routed.ownerId, routed.teamId], [ina.id, team.id]);
    assert.deepEqual([queued.ownerId, queued.teamId, queued.status], [null, team.id, 'new']);
    const ack = async (id: number) => (await kinds(id)).find((e) => e.kind === 'acknowledgement_sent')!.body!;
    assert.match(await ack(routed.id), /Ina Inbox will look after it personally until it is resolved/);
    const honest = await ack(queued.id);
    assert.match(honest, /waiting for the next available person in our team/);
    assert.doesNotMatch(honest, /will own it|will look after it/, 'no owner is promised while nobody owns it');
  });
});
