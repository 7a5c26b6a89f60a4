import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startKept, type TestKept } from '../helpers/app';

describe('customers, sign-in, tokens and idempotency', () => {
  let k: TestKept;
  let agent: Awaited<ReturnType<TestKept['signedIn']>>;
  let lead: Awaited<ReturnType<TestKept['signedIn']>>;
  before(async () => {
    k = await startKept();
    agent = await k.signedIn('agent');
    lead = await k.signedIn('lead');
  });
  after(() => k.close());

  it('addresses a customer formally until first name is allowed', async () => {
    const c = (await agent.post('/customers', { name: 'Ada Okafor', title: 'Mrs', givenName: 'Ada', familyName: 'Okafor', emails: ['ada@okafor.example'] })).body;
    assert.equal(c.salutation, 'Mrs Okafor');
    const after = (await agent.patch(`/customers/${c.id}`, { firstNameOk: true })).body;
    assert.equal(after.salutation, 'Ada');
  });

  it('an email address belongs to one customer only', async () => {
    await agent.post('/customers', { name: 'Bo', emails: ['bo@example.com'] });
    const dup = await agent.post('/customers', { name: 'Bo again', emails: ['BO@example.com'] });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.errors[0].field, 'body.emails');
  });

  it('merging two customers keeps both histories', async () => {
    const a = (await agent.post('/customers', { name: 'Cara Diaz', emails: ['cara@work.example'] })).body;
    const b = (await agent.post('/customers', { name: 'C. Diaz', emails: ['cara@home.example'], notes: 'prefers mornings' })).body;
    await agent.post('/cases', { subject: 'first', channel: 'email', customerId: a.id });
    const second = (await agent.post('/cases', { subject: 'second', channel: 'phone', customerId: b.id })).body;
    await agent.post(`/cases/${second.id}/recoveries`, { note: 'we lost her parcel' });
    assert.equal((await agent.post(`/customers/${a.id}/merge`, { duplicateId: b.id })).status, 403, 'agents may not merge');
    const merged = await lead.post(`/customers/${a.id}/merge`, { duplicateId: b.id });
    assert.equal(merged.status, 200, JSON.stringify(merged.body));
    assert.deepEqual(merged.body.emails.sort(), ['cara@home.example', 'cara@work.example']);
    assert.match(merged.body.notes, /prefers mornings/);
    const cases = (await agent.get(`/cases?customer=${a.id}`)).body.items.map((c: { subject: string }) => c.subject).sort();
    assert.deepEqual(cases, ['first', 'second']);
    assert.equal((await agent.get(`/customers/${b.id}`)).body.mergedIntoId, a.id);
    const moved = await k.sql<{ n: number }>('SELECT count(*)::int AS n FROM recoveries WHERE customer_id = $1', [b.id]);
    assert.equal(moved[0]!.n, 0, 'recoveries moved with the cases');
    // a new case from the duplicate's address lands on the survivor
    const next = (await agent.post('/cases', { subject: 'third', channel: 'email', customer: { name: 'whoever', emails: ['cara@home.example'] } })).body;
    assert.equal(next.customerId, a.id);
  });

  it('customer search by name and email, paginated with a cursor', async () => {
    for (let i = 0; i < 5; i++) await agent.post('/customers', { name: `Zed Person ${i}`, emails: [`zed${i}@zed.example`] });
    const page1 = (await agent.get('/customers?q=zed&limit=3')).body;
    assert.equal(page1.items.length, 3);
    const page2 = (await agent.get(`/customers?q=zed&limit=3&cursor=${page1.nextCursor}`)).body;
    assert.equal(page2.items.length, 2);
    assert.equal(page2.nextCursor, null);
    assert.equal((await agent.get('/customers?q=zed3@')).body.items[0].name, 'Zed Person 3');
  });

  it('wrong passwords are refused without saying which part was wrong', async () => {
    const res = await k.anonymous().post('/auth/sign-in', { email: 'nobody@example.test', password: 'whatever-it-is' });
    assert.equal(res.status, 401);
    const stored = await k.sql<{ password_hash: string }>('SELECT password_hash FROM staff WHERE id = $1', [agent.id]);
    assert.match(stored[0]!.password_hash, /^scrypt\$32768\$8\$1\$/, 'passwords are stored as memory-hard scrypt hashes');
  });

  it('a personal API token works as a bearer, until revoked; sign-out ends the session', async () => {
    const created = await agent.post('/auth/tokens', { name: 'telephony bridge' });
    assert.equal(created.status, 201);
    const bot = k.anonymous().useToken(created.body.token);
    assert.equal((await bot.get('/auth/me')).body.id, agent.id);
    assert.equal((await agent.delete(`/auth/tokens/${created.body.id}`)).status, 204);
    assert.equal((await bot.get('/auth/me')).status, 401);
    const temp = await k.signedIn('agent');
    assert.equal((await temp.post('/auth/sign-out')).status, 204);
    assert.equal((await temp.get('/auth/me')).status, 401);
  });

  it('a retried POST with the same Idempotency-Key creates once and replays the answer', async () => {
    const body = { subject: 'Retried on a flaky network', channel: 'chat', customer: { name: 'Ivo' } };
    const headers = { 'idempotency-key': 'retry-123' };
    const [a, b] = await Promise.all([agent.post('/cases', body, headers), agent.post('/cases', body, headers)]);
    assert.equal(a.status, 201);
    assert.equal(b.status, 201);
    assert.equal(a.body.id, b.body.id);
    const c = await agent.post('/cases', body, headers);
    assert.equal(c.body.id, a.body.id);
    assert.equal(c.headers.get('idempotent-replayed'), 'true');
    const n = await k.sql<{ n: number }>(`SELECT count(*)::int AS n FROM cases WHERE subject = $1`, [body.subject]);
    assert.equal(n[0]!.n, 1);
    const misuse = await agent.post('/cases', { ...body, subject: 'something else' }, headers);
    assert.equal(misuse.status, 409);
  });

  it('the OpenAPI document is served and describes the routes', async () => {
    const doc = (await k.anonymous().get('/openapi.json')).body;
    assert.equal(doc.openapi.slice(0, 2), '3.');
    assert.ok(doc.paths['/api/v1/cases/{id}/handovers'].post.requestBody);
    assert.ok(doc.paths['/api/v1/commitments/{id}/renegotiate']);
  });

  it('queues find cases by subject, customer name or the words of their messages', async () => {
    const c = (await agent.post('/cases', { subject: 'Odd noise', channel: 'web', customer: { name: 'Quentin Quiet' }, message: 'The fridge makes a rattling sound at night' })).body;
    const ids = async (q: string) => (await agent.get(`/cases?q=${encodeURIComponent(q)}`)).body.items.map((x: { id: number }) => x.id);
    assert.deepEqual(await ids('odd noi'), [c.id]);
    assert.deepEqual(await ids('quentin'), [c.id]);
    assert.deepEqual(await ids('rattling'), [c.id]);
    assert.deepEqual(await ids('rattling fridge'), [c.id]);
    assert.deepEqual(await ids('dishwasher'), []);
  });
});
