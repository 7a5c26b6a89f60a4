import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startKept, type TestKept } from '../helpers/app';
import { HOUR, MINUTE } from '../../src/core/clock';

describe('commitments: your word is your honour', () => {
  let k: TestKept;
  let admin: Awaited<ReturnType<TestKept['signedIn']>>;
  before(async () => {
    k = await startKept({ now: '2026-03-02T09:00:00Z' });
    admin = await k.signedIn('admin');
    await admin.patch('/settings', { commitmentWarningMinutes: 60 });
  });
  after(() => k.close());

  async function aCase(agent: Awaited<ReturnType<TestKept['signedIn']>>) {
    return (await agent.post('/cases', { subject: 'Where is my refund?', channel: 'phone', customer: { name: 'Li Wei' } })).body;
  }
  const inHours = (h: number) => new Date(k.clock.now().getTime() + h * HOUR).toISOString();

  it('a promise that passes its due time becomes broken, and the owner is told', async () => {
    const agent = await k.signedIn('agent');
    const c = await aCase(agent);
    const p = await agent.post(`/cases/${c.id}/commitments`, { text: 'I will call you back by 3 pm', dueAt: inHours(2) });
    assert.equal(p.status, 201, JSON.stringify(p.body));
    assert.equal(p.body.ownerId, agent.id);
    k.clock.advance(HOUR + 30 * MINUTE);
    await k.runTimers();
    assert.equal((await agent.get(`/commitments/${p.body.id}`)).body.status, 'open');
    assert.ok((await agent.get('/notifications')).body.items.some((n: { kind: string }) => n.kind === 'commitment_due_soon'), 'warned before it falls due');
    k.clock.advance(31 * MINUTE);
    await k.runTimers();
    const broken = (await agent.get(`/commitments/${p.body.id}`)).body;
    assert.equal(broken.status, 'broken');
    assert.ok((await agent.get('/notifications')).body.items.some((n: { kind: string }) => n.kind === 'commitment_broken'));
    const kinds = (await agent.get(`/cases/${c.id}/timeline`)).body.items.map((e: { kind: string }) => e.kind);
    assert.deepEqual(kinds.filter((x: string) => x.startsWith('commitment')), ['commitment_made', 'commitment_warning', 'commitment_broken']);
    assert.equal((await agent.post(`/commitments/${p.body.id}/keep`)).status, 409, 'a broken promise cannot be marked kept afterwards');
  });

  it('a promise fires late-but-fires after downtime, exactly once', async () => {
    const agent = await k.signedIn('agent');
    const c = await aCase(agent);
    const p = (await agent.post(`/cases/${c.id}/commitments`, { text: 'Replacement ships Monday', dueAt: inHours(1) })).body;
    k.clock.advance(72 * HOUR); // the server was "down" the whole time
    await k.runTimers();
    assert.equal((await agent.get(`/commitments/${p.id}`)).body.status, 'broken');
    const entries = await k.sql(`SELECT count(*)::int AS n FROM case_entries WHERE case_id = $1 AND kind = 'commitment_broken'`, [c.id]);
    assert.equal(entries[0]!.n, 1);
  });

  it('renegotiating requires that the customer was told, and moves the due time', async () => {
    const agent = await k.signedIn('agent');
    const c = await aCase(agent);
    const p = (await agent.post(`/cases/${c.id}/commitments`, { text: 'Refund by Friday', dueAt: inHours(24) })).body;
    const silent = await agent.post(`/commitments/${p.id}/renegotiate`, { newDueAt: inHours(48), customerTold: false, customerToldHow: 'phone' });
    assert.equal(silent.status, 400);
    assert.ok(silent.body.errors.some((e: { field: string }) => e.field === 'body.customerTold'));
    assert.equal((await agent.get(`/commitments/${p.id}`)).body.dueAt, p.dueAt, 'nothing changed');
    const told = await agent.post(`/commitments/${p.id}/renegotiate`, { newDueAt: inHours(48), customerTold: true, customerToldHow: 'phone call, she agreed' });
    assert.equal(told.status, 200, JSON.stringify(told.body));
    assert.equal(told.body.status, 'renegotiated');
    assert.equal(told.body.dueAt, inHours(48));
    k.clock.advance(30 * HOUR);
    await k.runTimers();
    assert.equal((await agent.get(`/commitments/${p.id}`)).body.status, 'renegotiated', 'the old due time no longer breaks it');
    const kept = await agent.post(`/commitments/${p.id}/keep`, { note: 'refund sent' });
    assert.equal(kept.body.status, 'kept');
    assert.equal((await agent.get(`/commitments/${p.id}`)).body.renegotiations.length, 1);
  });

  it('a promise must fall due in the future', async () => {
    const agent = await k.signedIn('agent');
    const c = await aCase(agent);
    const res = await agent.post(`/cases/${c.id}/commitments`, { text: 'yesterday', dueAt: inHours(-1) });
    assert.equal(res.status, 422);
    assert.equal(res.body.errors[0].field, 'body.dueAt');
  });

  it('kept rate per person, team and department', async () => {
    const dept = (await admin.post('/departments', { name: 'Logistics' })).body;
    const team = (await admin.post('/teams', { name: 'Deliveries', departmentId: dept.id })).body;
    const keeper = await k.signedIn('agent', { teamId: team.id, departmentId: dept.id });
    const breaker = await k.signedIn('agent', { teamId: team.id, departmentId: dept.id });
    // Each promises on their own case: only whoever may change a case makes promises on it.
    const cases = new Map([[keeper.id, await aCase(keeper)], [breaker.id, await aCase(breaker)]]);
    const make = async (who: typeof keeper, h: number) => (await who.post(`/cases/${cases.get(who.id)!.id}/commitments`, { text: 'promise', dueAt: inHours(h), ownerId: who.id })).body;
    for (let i = 0; i < 3; i++) await keeper.post(`/commitments/${(await make(keeper, 5)).id}/keep`);
    await make(keeper, 1); // will break
    await make(breaker, 1); // will break
    await breaker.post(`/commitments/${(await make(breaker, 5)).id}/keep`);
    k.clock.advance(2 * HOUR);
    await k.runTimers();
    const byPerson = (await admin.get('/commitments/kept-rate?by=person')).body.items;
    const row = (id: number) => byPerson.find((r: { groupId: number }) => r.groupId === id);
    assert.deepEqual([row(keeper.id).kept, row(keeper.id).broken, row(keeper.id).keptRate], [3, 1, 0.75]);
    assert.deepEqual([row(breaker.id).kept, row(breaker.id).broken, row(breaker.id).keptRate], [1, 1, 0.5]);
    const byTeam = (await admin.get('/commitments/kept-rate?by=team')).body.items.find((r: { groupId: number }) => r.groupId === team.id);
    assert.deepEqual([byTeam.kept, byTeam.broken, byTeam.keptRate], [4, 2, 4 / 6]);
    const byDept = (await admin.get('/commitments/kept-rate?by=department')).body.items.find((r: { groupId: number }) => r.groupId === dept.id);
    assert.equal(byDept.keptRate, 4 / 6);
  });
});
