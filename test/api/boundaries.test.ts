import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startKept, type TestKept } from '../helpers/app';

/** Bad input gets a clear problem+json naming the field and the rule, and changes nothing. */
describe('boundaries: bad input is refused and changes nothing', () => {
  let k: TestKept;
  let agent: Awaited<ReturnType<TestKept['signedIn']>>;
  let executive: Awaited<ReturnType<TestKept['signedIn']>>;
  let caseId: number;
  before(async () => {
    k = await startKept();
    agent = await k.signedIn('agent');
    executive = await k.signedIn('executive');
    caseId = (await agent.post('/cases', { subject: 'Broken kettle', channel: 'web', customer: { name: 'Sam Hale' } })).body.id;
  });
  after(() => k.close());

  async function snapshot() {
    const rows = await k.sql<{ t: string; n: number }>(`
      SELECT 'cases' AS t, count(*)::int AS n FROM cases UNION ALL SELECT 'entries', count(*)::int FROM case_entries
      UNION ALL SELECT 'customers', count(*)::int FROM customers UNION ALL SELECT 'commitments', count(*)::int FROM commitments
      UNION ALL SELECT 'handovers', count(*)::int FROM handovers UNION ALL SELECT 'audit', count(*)::int FROM audit_log
      UNION ALL SELECT 'departments', count(*)::int FROM departments UNION ALL SELECT 'staff', count(*)::int FROM staff`);
    return Object.fromEntries(rows.map((r) => [r.t, r.n]));
  }

  async function refused(status: number, call: () => Promise<{ status: number; body: any; headers: Headers }>, field?: string, rule?: string) { // eslint-disable-line @typescript-eslint/no-explicit-any
    const before = await snapshot();
    const res = await call();
    assert.equal(res.status, status, JSON.stringify(res.body));
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.equal(res.body.status, status);
    assert.ok(res.body.title && res.body.detail, 'a problem has a title and a detail');
    if (field) {
      const hit = res.body.errors?.find((e: { field: string; rule: string }) => e.field === field);
      assert.ok(hit, `expected an error naming ${field}, got ${JSON.stringify(res.body.errors)}`);
      if (rule) assert.equal(hit.rule, rule);
    }
    assert.deepEqual(await snapshot(), before, 'the database did not change');
    return res.body;
  }

  it('malformed JSON', async () => {
    const body = await refused(400, () => agent.raw('POST', '/cases', '{"subject": "x", ', { 'content-type': 'application/json' }), 'body', 'json');
    assert.equal(body.title, 'Malformed JSON');
  });

  it('wrong types', async () => {
    await refused(400, () => agent.post('/cases', { subject: 42, channel: 'email', customer: { name: 'X' } }), 'body.subject', 'invalid_type');
    await refused(400, () => agent.post('/cases', { subject: 'x', channel: 'pigeon', customer: { name: 'X' } }), 'body.channel');
    await refused(400, () => agent.post(`/cases/${caseId}/commitments`, { text: 'soon', dueAt: 'next tuesday' }), 'body.dueAt');
    await refused(400, () => agent.get('/cases?limit=100000'), 'querystring.limit');
  });

  it('unknown fields', async () => {
    await refused(400, () => agent.post('/cases', { subject: 'x', channel: 'email', customer: { name: 'X' }, ownerr: 3 }), 'body.ownerr', 'unknown_field');
    await refused(400, () => agent.patch(`/cases/${caseId}`, { ownerId: 99 }), 'body.ownerId', 'unknown_field');
  });

  it('missing required fields name the field', async () => {
    await refused(400, () => agent.post('/cases', { channel: 'email', customer: { name: 'X' } }), 'body.subject');
  });

  it('oversized bodies', async () => {
    const huge = 'x'.repeat(300 * 1024);
    await refused(413, () => agent.post(`/cases/${caseId}/notes`, { body: huge }), 'body', 'max_size');
  });

  it('unknown ids', async () => {
    const body = await refused(404, () => agent.get('/cases/987654321'));
    assert.match(body.detail, /Case 987654321 does not exist/);
    await refused(404, () => agent.post('/handovers/987654321/accept'));
    await refused(404, () => agent.post('/commitments/987654321/keep'));
    await refused(422, () => agent.post('/cases', { subject: 'x', channel: 'email', customerId: 987654321 }), 'body.customerId', 'exists');
    await refused(404, () => agent.get('/no/such/route'));
  });

  it("other roles' endpoints", async () => {
    await refused(403, () => agent.post('/departments', { name: 'Finance' }));
    await refused(403, () => agent.patch('/settings', { name: 'Mine now' }));
    await refused(403, () => agent.post('/staff', { name: 'Eve', email: 'eve@example.test', role: 'admin' }));
    await refused(403, () => executive.post('/cases', { subject: 'x', channel: 'email', customer: { name: 'X' } }));
    await refused(403, () => agent.get(`/cases/${caseId}/audit`));
    await refused(403, () => agent.post('/cases', { subject: 'old', channel: 'email', customer: { name: 'X' }, openedAt: '2025-01-01T00:00:00Z' }));
  });

  it('no credentials, or a forged token', async () => {
    await refused(401, () => k.anonymous().get('/cases'));
    await refused(401, () => k.anonymous().useToken('kt_forged').get('/cases'));
  });

  it('a domain rule broken halfway through a command rolls back everything it did', async () => {
    const other = await k.signedIn('agent');
    // the offer validates late (receiver is an executive): no timeline entry, no audit row, no notification
    const exec = await k.signedIn('executive');
    await refused(422, () => agent.post(`/cases/${caseId}/handovers`, { toStaffId: exec.id, note: 'please' }), 'body.toStaffId');
    assert.equal((await other.get('/notifications')).body.items.length, 0);
  });
});
