/**
 * Customers see only their own: every customer-facing route (as registered, so a new route is
 * covered without editing this file) tried with customer A's session against customer B's
 * case, message, attachment, promise and survey ids answers 404, shows nothing of B, and
 * changes nothing of B's.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startKept, type TestKept } from '../helpers/app';
import { contactForm, signInAsCustomer, type CustomerClient } from '../helpers/portal';
import { DAY } from '../../src/core/clock';
import { customerRoutes } from '../../src/portal/routes';

interface B { caseId: number; messageId: number; attachmentId: number; promiseId: number; surveyId: number; secrets: string[] }

describe('customer A never reaches customer B', { timeout: 120_000 }, () => {
  let k: TestKept;
  let a: CustomerClient;
  let b: B;
  let aCaseId: number;
  const snapshot = async (caseId: number) => JSON.stringify(await k.sql(`SELECT
    (SELECT json_agg(e ORDER BY e.id) FROM case_entries e WHERE e.case_id = $1) AS entries,
    (SELECT row_to_json(c) FROM cases c WHERE c.id = $1) AS case_row,
    (SELECT json_agg(m ORDER BY m.id) FROM commitments m WHERE m.case_id = $1) AS promises,
    (SELECT json_agg(r ORDER BY r.id) FROM survey_responses r) AS responses`, [caseId]));

  before(async () => {
    k = await startKept({ now: '2026-03-02T09:00:00Z' });
    const admin = await k.signedIn('admin');
    await admin.patch('/settings', { name: 'Acme' });
    const agent = await k.signedIn('agent', { name: 'Olu Agent' });
    // B first, with everything a case can carry; then A, whose ids come after.
    const body = new FormData();
    for (const [key, value] of Object.entries({ name: 'Beatrix Secretname', email: 'beatrix@b.example', subject: 'B-SUBJECT-zq1', message: 'B-MESSAGE-zq2', type: 'question' })) body.append(key, value);
    body.append('attachments', new Blob(['B-FILE-CONTENT-zq3']), 'b-file-zq4.txt');
    const page = await fetch(`${k.baseUrl}/contact`, { method: 'POST', body });
    assert.equal(page.status, 201);
    const caseId = Number(/K-(\d+)/.exec(await page.text())![1]);
    await agent.post(`/cases/${caseId}/take`);
    const promise = (await agent.post(`/cases/${caseId}/commitments`, { text: 'B-PROMISE-zq5', dueAt: new Date(Date.parse('2026-03-02T09:00:00Z') + 2 * DAY).toISOString() })).body;
    await agent.post(`/cases/${caseId}/replies`, { body: 'B-REPLY-zq6' });
    const survey = (await admin.post('/surveys', { name: 'After', trigger: 'case_resolved', questions: [{ kind: 'nps' }] })).body;
    const [{ customer_id: bCustomer }] = await k.sql<{ customer_id: string }>('SELECT customer_id FROM cases WHERE id = $1', [caseId]) as [{ customer_id: string }];
    const invitation = (await admin.post(`/surveys/${survey.id}/invitations`, { customerId: Number(bCustomer), caseId })).body;
    const [message] = await k.sql<{ id: string }>(`SELECT id FROM case_entries WHERE case_id = $1 AND kind = 'inbound_message'`, [caseId]);
    const [attachment] = await k.sql<{ id: string }>('SELECT id FROM attachments WHERE case_id = $1', [caseId]);
    b = { caseId, messageId: Number(message!.id), attachmentId: Number(attachment!.id), promiseId: promise.id, surveyId: invitation.id,
      secrets: ['Beatrix', 'Secretname', 'beatrix@b.example', 'B-SUBJECT-zq1', 'B-MESSAGE-zq2', 'B-FILE-CONTENT-zq3', 'b-file-zq4', 'B-PROMISE-zq5', 'B-REPLY-zq6', `K-${caseId}`] };
    // B can see all of it: the ids are real and reachable by their owner.
    const bClient = await signInAsCustomer(k, 'beatrix@b.example');
    assert.match((await bClient.get(`/portal/cases/${caseId}`)).text, /B-PROMISE-zq5/);
    assert.equal((await bClient.get(`/portal/attachments/${b.attachmentId}`)).status, 200);
    assert.equal((await bClient.get(`/portal/surveys/${b.surveyId}`)).status, 200);

    aCaseId = Number(/K-(\d+)/.exec((await contactForm(k.baseUrl, { name: 'Ann Other', email: 'ann@a.example', subject: 'A subject', message: 'A message', type: 'question' })).text)![1]);
    a = await signInAsCustomer(k, 'ann@a.example');
  });
  after(() => k.close());

  const leaks = (text: string) => b.secrets.filter((s) => text.includes(s));

  it('every customer-facing route with one of B’s ids answers 404, shows nothing of B and changes nothing', async () => {
    const routes = [...new Map(customerRoutes.map((r) => [`${r.method} ${r.url}`, r])).values()];
    const withId = routes.filter((r) => r.url.includes(':id'));
    assert.ok(withId.length >= 7, `the portal's id routes are listed (${withId.map((r) => `${r.method} ${r.url}`).join(', ')})`);
    const before = await snapshot(b.caseId);
    const ids = [b.caseId, b.messageId, b.attachmentId, b.promiseId, b.surveyId].filter((id) => id !== aCaseId);
    const csrf = await a.csrf();
    let tried = 0;
    for (const route of withId) {
      for (const id of ids) {
        const path = route.url.replace(':id', String(id));
        const page = route.method === 'GET' ? await a.get(path) : await a.post(path, { csrf, body: 'A writes here', note: 'A note', nps: '0' });
        assert.equal(page.status, 404, `${route.method} ${path} answered ${page.status}`);
        assert.deepEqual(leaks(page.text), [], `${route.method} ${path} leaks`);
        tried++;
      }
    }
    assert.equal(await snapshot(b.caseId), before, 'nothing of B changed');
    assert.ok(ids.length >= 4);
    assert.equal(tried, withId.length * ids.length);
  });

  it('A’s own pages show nothing of B', async () => {
    for (const route of customerRoutes.filter((r) => r.method === 'GET' && !r.url.includes(':'))) {
      const page = await a.get(route.url);
      assert.ok(page.status === 200 || page.status === 303, `${route.url} ${page.status}`);
      assert.deepEqual(leaks(page.text), [], route.url);
    }
    const own = await a.get(`/portal/cases/${aCaseId}`);
    assert.equal(own.status, 200);
    assert.match(own.text, /A subject/);
  });

  it('without a session every route shows nothing of B', async () => {
    const stranger = new (a.constructor as typeof CustomerClient)(k.baseUrl);
    for (const route of customerRoutes) {
      const path = route.url.replace(':id', String(b.caseId));
      const page = route.method === 'GET' ? await stranger.get(path) : await stranger.post(path, { body: 'x' });
      assert.ok(route.url === '/portal' ? page.status === 200 : [303, 401, 403, 404].includes(page.status), `${route.method} ${path} answered ${page.status}`);
      assert.deepEqual(leaks(page.text), [], path);
    }
  });

  it('the web form with B’s address shows only the new case, nothing of B’s story', async () => {
    const page = await contactForm(k.baseUrl, { name: 'Pretender', email: 'beatrix@b.example', subject: 'Who are you', message: 'Tell me about B', type: 'question' });
    assert.equal(page.status, 201);
    assert.deepEqual(leaks(page.text).filter((s) => s !== 'beatrix@b.example'), []);
  });
});
