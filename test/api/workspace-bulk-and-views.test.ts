/**
 * Saved views on the server, bulk actions over picked cases and editable macros: who may do what,
 * what a refusal looks like, and that a bulk offer is an offer the receiver still has to accept.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startKept, type TestKept } from '../helpers/app';
import type { Api } from '../helpers/api';

describe('saved views, bulk actions and editable macros', { timeout: 120_000 }, () => {
  let k: TestKept;
  let admin: Api & { id: number };
  let lead: Api & { id: number };
  let aisha: Api & { id: number };
  let bruno: Api & { id: number };
  let teamId: number;
  let customerId: number;

  before(async () => {
    k = await startKept({ now: new Date().toISOString() });
    admin = await k.signedIn('admin');
    lead = await k.signedIn('lead', { name: 'Lena Lead' });
    teamId = (await admin.post('/teams', { name: 'Front Line', leadId: lead.id })).body.id;
    await admin.patch(`/staff/${lead.id}`, { teamId });
    aisha = await k.signedIn('agent', { name: 'Aisha Khan', teamId });
    bruno = await k.signedIn('agent', { name: 'Bruno Silva', teamId });
    customerId = (await admin.post('/customers', { name: 'Ada Okafor', emails: ['ada@okafor.example'] })).body.id;
  });
  after(() => k?.close());

  it('a personal view is its owner\'s alone; a team view is shared with the team and kept by its lead; each comes with its count', async () => {
    for (let i = 0; i < 3; i++) await aisha.post('/cases', { subject: `Recall ${i}`, channel: 'email', customerId, tags: ['recall'] });
    const mine = await aisha.post('/views', { name: 'Recall', filters: { view: 'open', tag: 'recall' } });
    assert.equal(mine.status, 201, JSON.stringify(mine.body));
    assert.equal((await aisha.post('/views', { name: 'recall', filters: { view: 'all' } })).status, 409, 'names are unique per person');
    assert.equal((await aisha.post('/views', { name: 'Bad', filters: { view: 'open', priority: 'soon' } })).status, 400);
    const listed = (await aisha.get('/views')).body.items as { id: number; name: string; count: number; more: boolean }[];
    assert.deepEqual(listed.map((v) => [v.name, v.count, v.more]), [['Recall', 3, false]]);
    assert.equal((await bruno.get('/views')).body.items.length, 0, 'a colleague does not see my personal view');
    assert.equal((await bruno.patch(`/views/${mine.body.id}`, { name: 'Mine now' })).status, 404);
    assert.equal((await bruno.request('DELETE', `/views/${mine.body.id}`)).status, 404);
    assert.equal((await aisha.patch(`/views/${mine.body.id}`, { name: 'Recall 2026' })).body.name, 'Recall 2026');

    assert.equal((await aisha.post('/views', { name: 'Team recall', teamId, filters: { view: 'open', tag: 'recall' } })).status, 403, 'an agent does not keep the team\'s views');
    const shared = await lead.post('/views', { name: 'Team recall', teamId, filters: { view: 'open', tag: 'recall' } });
    assert.equal(shared.status, 201);
    assert.deepEqual((await bruno.get('/views')).body.items.map((v: { name: string; count: number }) => [v.name, v.count]), [['Team recall', 3]]);
    assert.equal((await bruno.patch(`/views/${shared.body.id}`, { name: 'Ours' })).status, 403);
    assert.equal((await bruno.request('DELETE', `/views/${shared.body.id}`)).status, 403);
    assert.equal((await lead.request('DELETE', `/views/${shared.body.id}`)).status, 204);
  });

  it('a bulk take takes the unowned cases and refuses the owned one; nothing is taken from a colleague', async () => {
    const free = (await admin.post('/cases', { subject: 'Unowned', channel: 'email', customerId, ownerId: null, teamId })).body.id;
    const owned = (await aisha.post('/cases', { subject: 'Aisha\'s', channel: 'email', customerId })).body.id;
    const res = await bruno.post('/cases/bulk', { caseIds: [free, owned, 999_999], action: 'take' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.results.map((r: { caseId: number; ok: boolean; status: number }) => [r.caseId, r.ok, r.status]), [[free, true, 200], [owned, false, 409], [999_999, false, 404]]);
    assert.equal(res.body.done, 1);
    const [row] = await k.sql<{ owner_id: number }>('SELECT owner_id FROM cases WHERE id = $1', [owned]);
    assert.equal(row!.owner_id, aisha.id);
  });

  it('a bulk offer creates offers the receiver accepts — the owner does not change — and refuses cases the sender may not hand on', async () => {
    const a1 = (await aisha.post('/cases', { subject: 'Offer me 1', channel: 'email', customerId })).body.id;
    const a2 = (await aisha.post('/cases', { subject: 'Offer me 2', channel: 'email', customerId })).body.id;
    const b1 = (await bruno.post('/cases', { subject: 'Bruno\'s own', channel: 'email', customerId })).body.id;
    const res = await aisha.post('/cases/bulk', { caseIds: [a1, a2, b1], action: 'offer', toStaffId: bruno.id, note: 'Going on leave' });
    assert.deepEqual(res.body.results.map((r: { ok: boolean; status: number }) => [r.ok, r.status]), [[true, 200], [true, 200], [false, 403]]);
    const owners = await k.sql<{ id: number; owner_id: number }>('SELECT id, owner_id FROM cases WHERE id = ANY($1) ORDER BY id', [[a1, a2]]);
    assert.deepEqual(owners.map((o) => o.owner_id), [aisha.id, aisha.id], 'an offer never assigns');
    const pending = await k.sql<{ n: string }>("SELECT count(*) AS n FROM handovers WHERE case_id = ANY($1) AND status = 'pending' AND to_staff_id = $2", [[a1, a2], bruno.id]);
    assert.equal(Number(pending[0]!.n), 2);
    // bad input changes nothing: an unknown receiver, a missing note
    const before = await k.sql<{ n: string }>('SELECT count(*) AS n FROM handovers');
    assert.equal((await aisha.post('/cases/bulk', { caseIds: [a1], action: 'offer', toStaffId: 999_999, note: 'x' })).status, 422);
    assert.equal((await aisha.post('/cases/bulk', { caseIds: [a1], action: 'offer', toStaffId: bruno.id })).status, 400);
    assert.equal((await aisha.post('/cases/bulk', { caseIds: [], action: 'take' })).status, 400);
    assert.deepEqual(await k.sql('SELECT count(*) AS n FROM handovers'), before);
  });

  it('bulk tag and status go case by case through the case\'s authority', async () => {
    const a1 = (await aisha.post('/cases', { subject: 'Tag me', channel: 'email', customerId, tags: ['damaged'] })).body.id;
    const other = (await admin.post('/teams', { name: 'Back Office' })).body.id;
    const far = (await admin.post('/cases', { subject: 'Not Aisha\'s team', channel: 'email', customerId, ownerId: admin.id, teamId: other })).body.id;
    const tagged = await aisha.post('/cases/bulk', { caseIds: [a1, far], action: 'tag', tag: 'Recall' });
    assert.deepEqual(tagged.body.results.map((r: { ok: boolean }) => r.ok), [true, false]);
    assert.deepEqual((await aisha.get(`/cases/${a1}`)).body.tags, ['damaged', 'recall']);
    const status = await lead.post('/cases/bulk', { caseIds: [a1], action: 'status', status: 'waiting_on_customer' });
    assert.equal(status.body.done, 1, 'the team lead may change a member\'s case');
    assert.equal((await aisha.get(`/cases/${a1}`)).body.status, 'waiting_on_customer');
  });

  it('a macro is corrected by its owner, a team macro by the team lead; nobody else', async () => {
    const own = (await aisha.post('/macros', { name: 'Thanks', body: 'Thank you, {{salutation}}.' })).body.id;
    assert.equal((await bruno.patch(`/macros/${own}`, { body: 'Hijacked' })).status, 404);
    const fixed = await aisha.patch(`/macros/${own}`, { body: 'Thank you very much, {{salutation}}.' });
    assert.equal(fixed.status, 200);
    assert.equal(fixed.body.body, 'Thank you very much, {{salutation}}.');
    assert.equal((await aisha.patch(`/macros/${own}`, { body: '' })).status, 400);
    const team = (await lead.post('/macros', { name: 'Team greeting', body: 'Hello', teamId })).body.id;
    assert.equal((await aisha.patch(`/macros/${team}`, { body: 'Hi' })).status, 403);
    assert.equal((await lead.patch(`/macros/${team}`, { name: 'Greeting' })).body.name, 'Greeting');
    assert.equal((await aisha.request('DELETE', `/macros/${team}`)).status, 403);
    assert.equal((await lead.request('DELETE', `/macros/${team}`)).status, 204);
  });
});
