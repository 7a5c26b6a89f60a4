import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startKept, type TestKept } from '../helpers/app';
import type { Answer } from '../helpers/api';

type Client = Awaited<ReturnType<TestKept['signedIn']>>;

describe('inputs that cannot break the server, surveys that cannot be abused', { timeout: 60_000 }, () => {
  let k: TestKept;
  let admin: Client;
  let lead: Client;
  let agent: Client;
  let other: Client;
  let teamId: number;
  let surveyId: number;
  before(async () => {
    k = await startKept({ now: '2026-05-04T09:00:00Z' });
    admin = await k.signedIn('admin');
    lead = await k.signedIn('lead', { name: 'Lena Lead' });
    teamId = (await admin.post('/teams', { name: 'Front Line', leadId: lead.id })).body.id;
    agent = await k.signedIn('agent', { name: 'Ari Agent', teamId });
    other = await k.signedIn('agent', { name: 'Oda Other' });
    surveyId = (await admin.post('/surveys', { name: 'After a case', trigger: 'touchpoint', touchpoint: 'deliver', questions: [{ kind: 'nps' }] })).body.id;
  });
  after(() => k?.close());

  async function counts() {
    const [row] = await k.sql(`SELECT (SELECT count(*)::int FROM cases) AS cases, (SELECT count(*)::int FROM customers) AS customers,
      (SELECT count(*)::int FROM survey_invitations) AS invitations, (SELECT count(*)::int FROM survey_responses) AS responses,
      (SELECT count(*)::int FROM departments) AS departments, (SELECT count(*)::int FROM audit_log) AS audit`);
    return row;
  }

  function problemAbout(res: Answer, status: number, field: string, message: RegExp) {
    assert.equal(res.status, status, JSON.stringify(res.body));
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const hit = res.body.errors?.find((e: { field: string }) => e.field === field);
    assert.ok(hit, `expected a problem naming ${field}: ${JSON.stringify(res.body)}`);
    assert.match(hit.message, message);
  }

  async function customerWithCase(owner: Client, name: string) {
    const email = `${name.toLowerCase().replace(/\W+/g, '.')}@example.test`;
    const c = (await owner.post('/cases', { subject: `About ${name}`, channel: 'email', customer: { name, emails: [email] } })).body;
    return { customerId: c.customerId as number, caseId: c.id as number, email };
  }

  async function tokenMailedTo(address: string) {
    const [mail] = await k.sql<{ text_body: string }>(`SELECT text_body FROM outbound_emails WHERE kind = 'survey' AND to_address = $1 ORDER BY id DESC LIMIT 1`, [address]);
    return /Or answer here: \S+\/s\/(sv_\S+)/.exec(mail!.text_body)![1]!;
  }

  it('a NUL character in any text field, query or path is refused with a 400 naming the field, and nothing changes', async () => {
    const before = await counts();
    problemAbout(await agent.post('/cases', { subject: 'Broken\u0000kettle', channel: 'web', customer: { name: 'Sam' } }), 400, 'body.subject', /contains a NUL character/);
    problemAbout(await agent.post('/cases', { subject: 'Kettle', channel: 'web', customer: { name: 'Sam\u0000' } }), 400, 'body.customer.name', /NUL/);
    problemAbout(await agent.get(`/customers?q=${encodeURIComponent('a\u0000b')}`), 400, 'query.q', /contains a NUL character/);
    problemAbout(await admin.patch('/departments/1', { name: 'x\u0000' }), 400, 'body.name', /NUL/);
    assert.deepEqual(await counts(), before);
  });

  it('text with an unpaired UTF-16 surrogate is refused as invalid Unicode; a real emoji passes', async () => {
    problemAbout(await agent.post('/cases', { subject: 'Broken \ud83d kettle', channel: 'web', customer: { name: 'Sam' } }), 400, 'body.subject', /invalid Unicode/);
    const ok = await agent.post('/cases', { subject: 'Broken kettle 🫖', channel: 'web', customer: { name: 'Sam' } });
    assert.equal(ok.status, 201);
    assert.equal(ok.body.subject, 'Broken kettle 🫖');
  });

  it('an empty PATCH answers 400 "nothing to change" on every PATCH route, and changes nothing', async () => {
    const department = (await admin.post('/departments', { name: 'Billing' })).body;
    const before = await counts();
    for (const path of [`/staff/${agent.id}`, `/departments/${department.id}`, `/teams/${teamId}`, `/surveys/${surveyId}`, '/settings']) {
      problemAbout(await admin.patch(path, {}), 400, 'body', /nothing to change/);
    }
    assert.deepEqual(await counts(), before);
    assert.equal((await admin.patch(`/departments/${department.id}`, { name: 'Billing & Accounts' })).status, 200, 'a real change still goes through');
  });

  it('a survey invitation for a customer or survey that does not exist answers 404, before any cooldown', async () => {
    const { customerId } = await customerWithCase(agent, 'Nia North');
    const before = await counts();
    problemAbout404(await agent.post(`/surveys/${surveyId}/invitations`, { customerId: 99999 }), /Customer 99999 does not exist/);
    problemAbout404(await agent.post('/surveys/99999/invitations', { customerId }), /Survey 99999 does not exist/);
    problemAbout404(await admin.post('/surveys/99999/send', { segment: 'vip' }), /Survey 99999 does not exist/);
    problemAbout404(await agent.post('/touchpoint-events', { customerId: 99999, touchpoint: 'deliver' }), /Customer 99999 does not exist/);
    problemAbout404(await agent.post(`/surveys/${surveyId}/invitations`, { customerId, caseId: 99999 }), /Case 99999 does not exist/);
    assert.deepEqual(await counts(), before);
  });

  function problemAbout404(res: Answer, detail: RegExp) {
    assert.equal(res.status, 404, JSON.stringify(res.body));
    assert.match(res.body.detail, detail);
  }

  it("an invitation's case must belong to its customer", async () => {
    const mine = await customerWithCase(agent, 'Ike Iwu');
    const theirs = await customerWithCase(other, 'Pia Park');
    const before = await counts();
    const res = await agent.post(`/surveys/${surveyId}/invitations`, { customerId: mine.customerId, caseId: theirs.caseId });
    problemAbout(res, 409, 'body.caseId', /another customer/);
    assert.deepEqual(await counts(), before, 'no invitation, so no answer can move the other agent\'s NPS');
    assert.equal((await agent.post(`/surveys/${surveyId}/invitations`, { customerId: mine.customerId, caseId: mine.caseId })).status, 201);
  });

  it('the survey token is never shown to staff', async () => {
    const { customerId, caseId, email } = await customerWithCase(agent, 'Tess Token');
    const invited = await agent.post(`/surveys/${surveyId}/invitations`, { customerId, caseId });
    assert.equal(invited.status, 201);
    const token = await tokenMailedTo(email);
    const seen = [invited, await agent.get(`/cases/${caseId}`), await agent.get(`/customers/${customerId}`), await admin.get('/survey-responses'),
      await admin.get('/surveys'), await agent.post('/touchpoint-events', { customerId, touchpoint: 'deliver' })];
    for (const res of seen) assert.doesNotMatch(JSON.stringify(res.body), new RegExp(`${token}|/s/sv_`), 'no staff answer carries the customer\'s link');
  });

  it('the cooldown reason says when the customer was asked; a segment send counts it without the date', async () => {
    const { customerId } = await customerWithCase(agent, 'Cleo Cool');
    await admin.patch(`/customers/${customerId}`, { segment: 'cool-club' });
    await agent.post(`/surveys/${surveyId}/invitations`, { customerId });
    const again = await agent.post(`/surveys/${surveyId}/invitations`, { customerId });
    assert.equal(again.status, 409);
    assert.match(again.body.detail, /asked on 2026-05-04, within the \d+-day cooldown/);
    const sent = await admin.post(`/surveys/${surveyId}/send`, { segment: 'cool-club' });
    assert.equal(sent.status, 200);
    assert.deepEqual(Object.values(sent.body.skipped), [1]);
    assert.match(Object.keys(sent.body.skipped)[0]!, /^asked recently, within the \d+-day cooldown$/);
  });

  it('opening a survey link with a score never records an answer; one tap confirms it', async () => {
    const { customerId, caseId, email } = await customerWithCase(agent, 'Lin Link');
    await agent.post(`/surveys/${surveyId}/invitations`, { customerId, caseId });
    const token = await tokenMailedTo(email);
    for (let n = 0; n <= 10; n++) assert.equal((await fetch(`${k.baseUrl}/s/${token}?nps=${n}`)).status, 200); // a link scanner
    const page = await (await fetch(`${k.baseUrl}/s/${token}?nps=2`)).text();
    assert.match(page, /value="2" checked/);
    assert.match(page, /Confirm my score/);
    const rows = async () => k.sql('SELECT nps, recovery_case_id IS NOT NULL AS recovery FROM survey_responses WHERE customer_id = $1', [customerId]);
    assert.deepEqual(await rows(), [], 'no answer and no detractor recovery from GETs');
    const tap = await fetch(`${k.baseUrl}/s/${token}`, { method: 'POST', body: new URLSearchParams({ nps: '2', confirm: 'true' }), headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' });
    await k.runTimers(); // the closed loop reacts to the answer
    assert.equal(tap.status, 303);
    assert.deepEqual(await rows(), [{ nps: 2, recovery: true }]);
  });

  it('partial answers are rate limited per survey link: beyond 30 saves a minute, 429', async () => {
    const { customerId, email } = await customerWithCase(agent, 'Rae Rate');
    await agent.post(`/surveys/${surveyId}/invitations`, { customerId });
    const token = await tokenMailedTo(email);
    const save = (nps: number) => fetch(`${k.baseUrl}/s/${token}/partial`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ nps }) });
    for (let i = 0; i < 30; i++) assert.equal((await save(9)).status, 200);
    const refused = await save(0);
    assert.equal(refused.status, 429);
    assert.match((await refused.json() as { detail: string }).detail, /At most 30 saves a minute/);
    const [row] = await k.sql('SELECT nps, recovery_case_id FROM survey_responses WHERE customer_id = $1', [customerId]);
    assert.deepEqual(row, { nps: 9, recovery_case_id: null }, 'the refused save changed nothing');
    k.clock.advance(61_000);
    assert.equal((await save(10)).status, 200, 'a minute later saving works again');
    k.clock.set('2026-05-04T09:00:00Z');
  });

  it("only the follow-up's owner, their team lead, managers and admins may record a survey response's follow-up", async () => {
    const { customerId, caseId, email } = await customerWithCase(agent, 'Fay Follow');
    await agent.post(`/surveys/${surveyId}/invitations`, { customerId, caseId });
    const token = await tokenMailedTo(email);
    await fetch(`${k.baseUrl}/api/v1/public/surveys/${token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ answers: { nps: 1 }, complete: true }) });
    await k.runTimers(); // the closed loop reacts to the answer
    const [response] = await k.sql<{ id: number }>('SELECT id FROM survey_responses WHERE customer_id = $1', [customerId]);
    const url = `/survey-responses/${response!.id}/follow-up`;

    const refused = await other.post(url, { outcome: 'Overwritten by someone else' });
    assert.equal(refused.status, 403, JSON.stringify(refused.body));
    assert.equal((await k.sql('SELECT follow_up_outcome FROM survey_responses WHERE id = $1', [response!.id]))[0]!.follow_up_outcome, null);
    assert.equal((await agent.post(url, { outcome: 'Called, replaced the kettle' })).status, 200, 'the owner');
    assert.equal((await lead.post(url, { outcome: 'Called again, all good' })).status, 200, 'their team lead');
    const manager = await k.signedIn('manager');
    assert.equal((await manager.post(url, { outcome: 'Reviewed' })).status, 200, 'a manager');
    assert.equal((await admin.post(url, { outcome: 'Reviewed by admin' })).status, 200, 'an admin');
    assert.equal((await other.post('/survey-responses/99999/follow-up', { outcome: 'x' })).status, 404);
  });
});
