import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { startKept, type TestKept } from '../helpers/app';
import { startSink, type Sink } from '../helpers/mail';
import { DAY } from '../../src/core/clock';

type Client = Awaited<ReturnType<TestKept['signedIn']>>;
// 441 real NPS answers with comments (Miro), copied from the project's shared data so the suite
// runs wherever the repository is cloned.
const MIRO = path.resolve(import.meta.dirname, '../fixtures/nps-miro.csv');

describe('voice of the customer: surveys and the closed loop', { timeout: 60_000 }, () => {
  let k: TestKept;
  let sink: Sink;
  let admin: Client;
  let lead: Client;
  let agent: Client;
  let surveyId: number;
  let teamId: number;
  before(async () => {
    sink = await startSink();
    k = await startKept({ now: '2026-05-04T09:00:00Z', mail: { transportUrl: `smtp://127.0.0.1:${sink.port}`, from: 'Acme <support@acme.test>' } });
    admin = await k.signedIn('admin');
    lead = await k.signedIn('lead', { name: 'Lena Lead' });
    teamId = (await admin.post('/teams', { name: 'Front Line', leadId: lead.id })).body.id;
    agent = await k.signedIn('agent', { name: 'Ari Agent', teamId });
    await admin.patch('/settings', { name: 'Acme' });
    const s = await admin.post('/surveys', { name: 'After a case', trigger: 'case_resolved', questions: [{ kind: 'nps' }, { kind: 'ces' }, { kind: 'expectation' }] });
    assert.equal(s.status, 201, JSON.stringify(s.body));
    assert.equal(s.body.questions.at(-1).kind, 'comment', 'every survey ends with an open comment');
    surveyId = s.body.id;
  });
  after(async () => {
    await k?.close();
    await sink?.close();
  });

  async function resolvedCaseFor(customer: object | number) {
    const body = typeof customer === 'number' ? { customerId: customer } : { customer };
    const c = (await agent.post('/cases', { subject: 'Broken lamp', channel: 'email', teamId, ...body })).body;
    assert.equal((await agent.patch(`/cases/${c.id}`, { status: 'resolved' })).status, 200);
    await k.runTimers();
    return c;
  }

  /** The survey token, as only the customer sees it: in the email we sent them. */
  async function tokenMailedTo(address: string) {
    const [mail] = await k.sql<{ text_body: string }>(`SELECT text_body FROM outbound_emails WHERE kind = 'survey' AND to_address = $1 ORDER BY id DESC LIMIT 1`, [address]);
    return /Or answer here: \S+\/s\/(sv_\S+)/.exec(mail!.text_body)![1]!;
  }

  function linkIn(mailIndex: number) {
    const text = sink.received[mailIndex]!.text!;
    const link = /Or answer here: (\S+)/.exec(text)![1]!;
    return new URL(link).pathname;
  }

  it('resolve a case → survey email → one click on 3, one tap to confirm → a recovery case owned by the case owner, in their My work at once', async () => {
    const c = await resolvedCaseFor({ name: 'Ada Okafor', title: 'Mrs', givenName: 'Ada', familyName: 'Okafor', emails: ['ada@okafor.example'] });
    await sink.waitFor(1);
    const mail = sink.received[0]!;
    assert.match(mail.subject!, /Acme: how did we do\?/);
    assert.match(mail.text!, /^Dear Mrs Okafor,/);
    assert.match(mail.text!, /How likely are you to recommend Acme to a friend or colleague\?/);
    const path = linkIn(0);
    assert.match(mail.text!, new RegExp(`3: \\S+${path}\\?nps=3`), 'one click on the score answers the first question');

    const page = await fetch(`${k.baseUrl}${path}?nps=3`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /Hello Mrs Okafor,/);
    assert.doesNotMatch(html, /Ada|okafor\.example|Broken lamp/, 'nothing about the customer beyond the greeting');
    assert.match(html, /value="3" checked/);
    // The page's inline script and style run under a CSP that allows exactly them, by hash.
    const csp = page.headers.get('content-security-policy') ?? '';
    const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    assert.ok(csp.includes(hash(/<script>([\s\S]*?)<\/script>/.exec(html)![1]!)), csp);
    assert.ok(csp.includes(hash(/<style>([\s\S]*?)<\/style>/.exec(html)![1]!)), csp);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal((await k.sql<{ n: number }>('SELECT count(*)::int AS n FROM survey_responses'))[0]!.n, 0, 'opening the link records nothing');
    const confirmed = await fetch(`${k.baseUrl}${path}`, { method: 'POST', body: new URLSearchParams({ nps: '3', confirm: 'true' }), headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' });
    await k.runTimers(); // the closed loop reacts to the answer
    assert.equal(confirmed.status, 303);
    assert.equal(confirmed.headers.get('location'), `${path}?saved=1`);

    const work = (await agent.get('/my-work')).body;
    const recovery = work.recoveries.find((r: { source: string }) => r.source === 'detractor');
    assert.ok(recovery, 'the recovery is on the clock in the owner\'s My work');
    assert.equal(new Date(recovery.dueAt).getTime() - k.clock.now().getTime(), DAY);
    const recoveryCase = (await agent.get(`/cases/${recovery.caseId}`)).body;
    assert.deepEqual([recoveryCase.ownerId, recoveryCase.customerId, recoveryCase.type], [agent.id, c.customerId, 'recovery']);
    const [response] = (await admin.get('/survey-responses')).body.items;
    assert.deepEqual([response.nps, response.recoveryCaseId, response.caseId], [3, recovery.caseId, c.id]);

    // the rest of the answers, then a second submit that must not count twice
    const form = new URLSearchParams({ nps: '3', ces: '2', expectation: 'below', expectation_words: 'Took three calls', comment: 'Slow and frustrating', complete: 'true' });
    const done = await fetch(`${k.baseUrl}${path}`, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    await k.runTimers(); // the closed loop reacts to the answer
    assert.equal(done.status, 200);
    assert.match(await done.text(), /Thank you/);
    const again = await fetch(`${k.baseUrl}${path}`, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    await k.runTimers(); // the closed loop reacts to the answer
    assert.equal(again.status, 409);
    const responses = await k.sql<{ n: number; recoveries: number }>(`SELECT count(*)::int AS n, count(DISTINCT recovery_case_id)::int AS recoveries FROM survey_responses`);
    assert.deepEqual(responses[0], { n: 1, recoveries: 1 });
    assert.equal((await fetch(`${k.baseUrl}${path}`)).status, 200, 'the link now says thank you, already answered');

    // within the cooldown, the same customer is not asked again
    await resolvedCaseFor(c.customerId);
    const invitations = await k.sql<{ n: number }>('SELECT count(*)::int AS n FROM survey_invitations WHERE customer_id = $1', [c.customerId]);
    assert.equal(invitations[0]!.n, 1);
  });

  it('tokens: a guessed one finds nothing, and an expired one is refused', async () => {
    const guessed = await fetch(`${k.baseUrl}/s/sv_${'A'.repeat(43)}`);
    assert.equal(guessed.status, 404);
    assert.equal((await fetch(`${k.baseUrl}/s/not-a-token`)).status, 400);
    const start = sink.received.length;
    await resolvedCaseFor({ name: 'Bo Berg', emails: ['bo@berg.example'] });
    await sink.waitFor(start + 1);
    const path = linkIn(start);
    const token = path.split('/').pop()!;
    const api = await fetch(`${k.baseUrl}/api/v1/public/surveys/${token}`);
    const view = await api.json() as { greeting: string | null; questions: unknown[] };
    assert.equal(view.greeting, null, 'no title and surname on file: no name at all');
    assert.deepEqual(Object.keys(view).sort(), ['answers', 'completed', 'expired', 'greeting', 'language', 'organisation', 'questions']);
    k.clock.advance(15 * DAY);
    assert.equal((await fetch(`${k.baseUrl}${path}`)).status, 410);
    const late = await fetch(`${k.baseUrl}/api/v1/public/surveys/${token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ answers: { nps: 10 } }) });
    await k.runTimers(); // the closed loop reacts to the answer
    assert.equal(late.status, 410);
    k.clock.set('2026-05-04T09:00:00Z');
  });

  it('a token answers for its own customer only: the answer lands on that invitation', async () => {
    const one = (await admin.post('/customers', { name: 'One', emails: ['one@one.example'] })).body;
    const two = (await admin.post('/customers', { name: 'Two', emails: ['two@two.example'] })).body;
    const invited = (await agent.post(`/surveys/${surveyId}/invitations`, { customerId: one.id })).body;
    await agent.post(`/surveys/${surveyId}/invitations`, { customerId: two.id });
    assert.equal(invited.channel, 'email');
    const a = { token: await tokenMailedTo('one@one.example') };
    const b = { token: await tokenMailedTo('two@two.example') };
    await fetch(`${k.baseUrl}/api/v1/public/surveys/${a.token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ answers: { nps: 9 }, complete: true }) });
    await k.runTimers(); // the closed loop reacts to the answer
    const rows = await k.sql<{ customer_id: number; nps: number }>('SELECT customer_id, nps FROM survey_responses WHERE customer_id IN ($1, $2)', [one.id, two.id]);
    assert.deepEqual(rows, [{ customer_id: one.id, nps: 9 }]);
    const wrongShape = await fetch(`${k.baseUrl}/api/v1/public/surveys/${b.token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ answers: { nps: 11 } }) });
    await k.runTimers(); // the closed loop reacts to the answer
    assert.equal(wrongShape.status, 400);
  });

  it('a comment that reads as a complaint closes the loop too; with the case owner gone, the team lead owns it', async () => {
    const leaver = await k.signedIn('agent', { teamId });
    const customer = (await admin.post('/customers', { name: 'Cy', emails: ['cy@cy.example'] })).body;
    const c = (await leaver.post('/cases', { subject: 'x', channel: 'phone', customerId: customer.id, teamId })).body;
    await admin.patch(`/staff/${leaver.id}`, { active: false });
    assert.equal((await agent.post(`/surveys/${surveyId}/invitations`, { customerId: customer.id, caseId: c.id })).status, 201);
    const inv = { token: await tokenMailedTo('cy@cy.example') };
    await fetch(`${k.baseUrl}/api/v1/public/surveys/${inv.token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ answers: { nps: 8, comment: 'Terrible service, rude and useless. Very disappointed.' }, complete: true }) });
    await k.runTimers(); // the closed loop reacts to the answer
    const [r] = (await lead.get('/my-work')).body.recoveries;
    assert.ok(r, 'the team lead has the recovery');
    assert.equal(r.source, 'detractor');
  });

  it('an imported real NPS data set reproduces its NPS and interval exactly, and bad rows are reported', async () => {
    const csv = fs.readFileSync(MIRO, 'utf8');
    const rows = parse(csv, { columns: true }) as { NPS_Score: string }[];
    const scores = rows.map((r) => Number(r.NPS_Score));
    const P = scores.filter((s) => s >= 9).length;
    const D = scores.filter((s) => s <= 6).length;
    const n = scores.length;
    // by hand: adjusted Wald
    const m = n + 3, p = (P + 0.75) / m, d = (D + 0.75) / m, se = Math.sqrt((p + d - (p - d) ** 2) / m);
    const expected = { nps: (100 * (P - D)) / n, low: 100 * (p - d - 1.96 * se), high: 100 * (p - d + 1.96 * se) };

    const survey = (await admin.post('/surveys', { name: 'Miro relationship NPS', trigger: 'relationship', questions: [{ kind: 'nps' }], active: false })).body;
    const withBadRows = `${csv.trimEnd()}\n42,"score out of range",11\n43,"no score",\n44,"words",nine\n`;
    const res = await admin.request('POST', `/surveys/${survey.id}/import?scoreColumn=NPS_Score&commentColumn=text&refColumn=user_id`, undefined, {});
    assert.equal(res.status, 415, 'the file must be sent as text/csv');
    const imported = await fetch(`${k.baseUrl}/api/v1/surveys/${survey.id}/import?scoreColumn=NPS_Score&commentColumn=text&refColumn=user_id`, {
      method: 'POST', body: withBadRows, headers: { 'content-type': 'text/csv', authorization: `Bearer ${(await admin.post('/auth/tokens', { name: 'import' })).body.token}` },
    });
    const report = await imported.json() as { rows: number; imported: number; rejected: { line: number; field: string }[] };
    assert.equal(report.imported, 441);
    assert.deepEqual(report.rejected.map((r) => [r.line, r.field]), [[443, 'NPS_Score'], [444, 'NPS_Score'], [445, 'NPS_Score']]);

    const fig = (await admin.get(`/survey-figures?survey=${survey.id}`)).body.overall;
    assert.deepEqual([fig.answers, fig.promoters, fig.detractors], [441, 306, 40]);
    assert.equal(fig.nps, expected.nps);
    assert.equal(fig.low, expected.low);
    assert.equal(fig.high, expected.high);
    assert.equal(Math.round(fig.nps * 10) / 10, 60.3);
  });

  it('the monthly review: NPS with its interval and trend, response rate, follow-ups, promises, recoveries, themes — as JSON, CSV and PDF', async () => {
    const review = (await admin.get('/reviews/2026-05')).body;
    assert.equal(review.month, '2026-05');
    assert.equal(review.trend.length, 6);
    assert.equal(review.trend.at(-1).answers, review.nps.answers);
    assert.ok(review.nps.answers >= 441, 'the imported answers count in their month');
    assert.ok(review.nps.low < review.nps.nps && review.nps.nps < review.nps.high);
    assert.ok(review.responseRate.invitations >= 2);
    assert.ok(review.detractorFollowUps.detractors >= 1 && review.detractorFollowUps.withRecovery >= 2);
    assert.ok(review.themes.length >= 5, JSON.stringify(review.themes));
    assert.ok(review.themes.every((t: { comments: number }) => t.comments >= 2));
    console.log('themes:', review.themes.map((t: { phrase: string; comments: number }) => `${t.phrase} (${t.comments})`).join(', '));
    const csv = await admin.get('/reviews/2026-05/csv');
    assert.match(csv.headers.get('content-type')!, /text\/csv/);
    assert.match(csv.body, /^section,item,value,low,high,answers\r\nnps,2026-05,/);
    const pdf = await fetch(`${k.baseUrl}/api/v1/reviews/2026-05/pdf`, { headers: { authorization: `Bearer ${(await admin.post('/auth/tokens', { name: 'pdf' })).body.token}` } });
    const bytes = Buffer.from(await pdf.arrayBuffer());
    assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
    assert.ok(bytes.length > 2000);
    assert.equal((await agent.get('/reviews/2026-13')).status, 400);
  });

  it('a relationship survey goes to its segment on a schedule, once per round', async () => {
    for (const name of ['Vi One', 'Vi Two']) await admin.post('/customers', { name, segment: 'vip-club' });
    const invited = async () => (await k.sql<{ n: number }>(`SELECT count(*)::int AS n FROM survey_invitations i JOIN customers c ON c.id = i.customer_id WHERE c.segment = 'vip-club'`))[0]!.n;
    const bad = await admin.post('/surveys', { name: 'x', trigger: 'case_resolved', questions: [{ kind: 'nps' }], everyDays: 30 });
    assert.equal(bad.status, 422);
    const s = await admin.post('/surveys', { name: 'VIP relationship', trigger: 'relationship', segment: 'vip-club', everyDays: 90, questions: [{ kind: 'nps' }, { kind: 'stay' }] });
    assert.equal(s.status, 201);
    await k.runTimers();
    assert.equal(await invited(), 2);
    await k.runTimers();
    assert.equal(await invited(), 2, 'not again before the next round');
    k.clock.advance(91 * DAY);
    await k.runTimers();
    assert.equal(await invited(), 4);
    k.clock.set('2026-05-04T09:00:00Z');
  });

  it('some days after a recovery is fixed, its customer is asked whether they will stay, and the answer lands on the recovery', async () => {
    const customer = (await admin.post('/customers', { name: 'Wen Wu', emails: ['wen@wu.example'] })).body;
    const c = (await agent.post('/cases', { subject: 'Wrong size', channel: 'phone', customerId: customer.id, teamId })).body;
    const r = (await agent.post(`/cases/${c.id}/recoveries`, { note: 'We sent the wrong size' })).body;
    await agent.post(`/recoveries/${r.id}/fix`, { what: 'Right size delivered by courier' });
    const before = sink.received.length;
    k.clock.advance(3 * DAY + 60_000);
    await k.runTimers();
    await sink.waitFor(before + 1);
    const mail = sink.received.slice(before).find((m) => m.envelopeTo.includes('wen@wu.example'))!;
    assert.match(mail.text!, /How likely are you to keep doing business with Acme\?/);
    const token = /Or answer here: \S+\/s\/(\S+)/.exec(mail.text!)![1]!;
    assert.match(mail.text!, /9: \S+\?stay=9/);
    const res = await fetch(`${k.baseUrl}/api/v1/public/surveys/${token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ answers: { stay: 9 }, complete: true }) });
    await k.runTimers(); // the closed loop reacts to the answer
    assert.equal(res.status, 200);
    const after = (await agent.get(`/recoveries/${r.id}`)).body;
    assert.deepEqual([after.loyaltyAfter, after.loyaltyRecovered], [9, true]);
    k.clock.set('2026-05-04T09:00:00Z');
  });

  it('a touchpoint event surveys the customer about that moment, once per cooldown; a refused invitation says why', async () => {
    await admin.post('/surveys', { name: 'After delivery', trigger: 'touchpoint', touchpoint: 'deliver', questions: [{ kind: 'ces' }, { kind: 'feeling' }] });
    const customer = (await admin.post('/customers', { name: 'Tom Touch' })).body;
    const first = await agent.post('/touchpoint-events', { customerId: customer.id, touchpoint: 'deliver' });
    assert.equal(first.status, 200);
    assert.deepEqual(Object.keys(first.body).sort(), ['channel', 'id'], 'the link goes to the customer, not back to staff');
    const again = await agent.post('/touchpoint-events', { customerId: customer.id, touchpoint: 'deliver' });
    assert.match(again.body.skipped, /cooldown/);
    assert.match((await agent.post('/touchpoint-events', { customerId: customer.id, touchpoint: 'unbox' })).body.skipped, /no active survey/);
    const direct = await agent.post(`/surveys/${surveyId}/invitations`, { customerId: customer.id });
    assert.equal(direct.status, 409);
    assert.match(direct.body.detail, /cooldown/);
    const n = await k.sql<{ n: number }>('SELECT count(*)::int AS n FROM survey_invitations WHERE customer_id = $1', [customer.id]);
    assert.equal(n[0]!.n, 1);
  });
});
