/**
 * Every write operation in the OpenAPI document, tried by every kind of person, against the table
 * below. An operation missing from the table fails the test: a new endpoint must say who may
 * call it. "A" passes when the answer is neither 401 nor 403 (a made-up body may well be 400,
 * 404 or 409) and never a 500; "F" must be 403 with the database unchanged; "U" must be 401.
 *
 * The case fixtures are fresh for each operation: a case owned by an agent of team A, with a
 * promise, a recovery, a pending refund request and a pending hand-over to a colleague of the
 * owner. The forbidden attempts run first, so that an allowed one cannot hide them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startKept, type TestKept } from '../helpers/app';
import { Api, type Answer } from '../helpers/api';
import { HOUR } from '../../src/core/clock';

const WHO = ['ownTeam', 'otherTeam', 'caseLead', 'otherLead', 'manager', 'admin', 'executive', 'anonymous'] as const;
type Who = (typeof WHO)[number];

interface World { caseId: number; customerId: number; promiseId: number; recoveryId: number; decisionId: number; handoverId: number; colleagueId: number }
interface Row { expect: string; body?: (w: World) => unknown; freshSession?: boolean }

//                     ownTeam otherTeam caseLead otherLead manager admin executive anonymous
const ADMIN_ONLY = 'F F F F F A F U';
const SELF = /*   */ 'A A A A A A A U';
const WORK = /*   */ 'A A A A A A F U'; // anyone who works cases; executives never write them
const CASE = /*   */ 'F F A F A A F U'; // the owner (not a column), the case team's lead, managers, admins
const MERGE = /*  */ 'F F A A A A F U';
const PUBLIC = /* */ 'A A A A A A A A';
const future = (h: number) => new Date(Date.now() + 400 * 24 * HOUR + h * HOUR).toISOString();

const TABLE: Record<string, Row> = {
  // From a fresh client: signing in replaces the client's own session.
  'POST /auth/sign-in': { expect: PUBLIC, freshSession: true, body: () => ({ email: 'matrix@example.test', password: 'correct horse battery' }) },
  'POST /auth/sign-out': { expect: SELF, freshSession: true },
  'POST /auth/password': { expect: SELF, body: () => ({ currentPassword: 'not my password', newPassword: 'a brand new password' }) },
  'POST /auth/tokens': { expect: SELF, body: () => ({ name: 'script' }) },
  'DELETE /auth/tokens/{id}': { expect: SELF },
  'PUT /staff/me/availability': { expect: SELF, body: () => ({ available: true }) },
  'POST /notifications/{id}/read': { expect: SELF },
  'POST /staff': { expect: ADMIN_ONLY, body: () => ({}) },
  'PATCH /staff/{id}': { expect: ADMIN_ONLY, body: () => ({}) },
  'PATCH /settings': { expect: ADMIN_ONLY, body: () => ({ surveyCooldownDays: 30 }) },
  'PUT /holidays/{day}': { expect: ADMIN_ONLY, body: () => ({}) },
  'DELETE /holidays/{day}': { expect: ADMIN_ONLY },
  'POST /departments': { expect: ADMIN_ONLY, body: () => ({}) },
  'PATCH /departments/{id}': { expect: ADMIN_ONLY, body: () => ({}) },
  'POST /teams': { expect: ADMIN_ONLY, body: () => ({}) },
  'PATCH /teams/{id}': { expect: ADMIN_ONLY, body: () => ({}) },
  'POST /standards': { expect: ADMIN_ONLY, body: () => ({}) },
  'PATCH /standards/{id}': { expect: ADMIN_ONLY, body: () => ({}) },
  'DELETE /standards/{id}': { expect: ADMIN_ONLY },
  'POST /decision-kinds': { expect: ADMIN_ONLY, body: () => ({}) },
  'PUT /authority-limits': { expect: ADMIN_ONLY, body: () => ({}) },
  'POST /policy-rules': { expect: ADMIN_ONLY, body: () => ({}) },
  'POST /surveys': { expect: ADMIN_ONLY, body: () => ({}) },
  'PATCH /surveys/{id}': { expect: ADMIN_ONLY, body: () => ({ active: false }) },
  'POST /surveys/{id}/send': { expect: ADMIN_ONLY, body: () => ({}) },
  'POST /surveys/{id}/import': { expect: ADMIN_ONLY, body: () => ({}) },
  'POST /customer-activities': { expect: WORK, body: (w) => ({ customerId: w.customerId, kind: 'visit', occurredAt: '2026-05-01T10:00:00Z' }) },
  'POST /customer-activities/import': { expect: ADMIN_ONLY, body: () => ({}) },
  'POST /listening/read': { expect: SELF, body: () => ({ text: 'Colis abîmé' }) },
  'POST /emails/{id}/reprocess': { expect: ADMIN_ONLY },
  'POST /mailboxes': { expect: ADMIN_ONLY, body: () => ({}) },
  'PATCH /mailboxes/{id}': { expect: ADMIN_ONLY, body: () => ({}) },
  'POST /customers': { expect: WORK, body: () => ({ name: 'Nia Newcomer' }) },
  'PATCH /customers/{id}': { expect: WORK, body: () => ({ segment: 'retail' }) },
  'POST /customers/{id}/merge': { expect: MERGE, body: () => ({ duplicateId: 999_999 }) },
  'POST /customers/{id}/erase': { expect: 'F F F F A A F U', body: () => ({ reason: 'The customer asked to be forgotten' }) },
  'POST /cases': { expect: WORK, body: () => ({ subject: 'Lost parcel', channel: 'phone', customer: { name: 'Pia Parcel' } }) },
  'PATCH /cases/{id}': { expect: CASE, body: () => ({ status: 'closed' }) },
  'POST /cases/{id}/take': { expect: WORK },
  'POST /cases/{id}/messages': { expect: WORK, body: () => ({ body: 'The customer wrote in the portal' }) },
  'POST /cases/{id}/replies': { expect: CASE, body: () => ({ body: 'Dear Ms Parcel, it is on its way.' }) },
  'POST /cases/{id}/attachments': { expect: CASE, body: () => ({}) },
  'POST /cases/{id}/notes': { expect: WORK, body: () => ({ body: 'I know this customer' }) },
  'POST /cases/{id}/calls': { expect: WORK, body: () => ({ body: 'Customer rang about the parcel' }) },
  'POST /cases/{id}/handovers': { expect: CASE, body: (w) => ({ toStaffId: w.colleagueId, note: 'Please take this one' }) },
  'POST /handovers/{id}/accept': { expect: 'A F F F F F F U' }, // only the colleague it was offered to
  'POST /handovers/{id}/decline': { expect: 'A F F F F F F U', body: () => ({ reason: 'Not my area' }) },
  'POST /handovers/{id}/withdraw': { expect: CASE },
  'POST /cases/{id}/commitments': { expect: CASE, body: () => ({ text: 'Call back tomorrow', dueAt: future(24) }) },
  'POST /commitments/{id}/keep': { expect: CASE },
  'POST /commitments/{id}/renegotiate': { expect: CASE, body: () => ({ newDueAt: future(48), customerTold: true, customerToldHow: 'phone' }) },
  'POST /cases/{id}/decisions': { expect: CASE, body: () => ({ kind: 'refund', amount: 5, currency: 'EUR', reason: 'Late' }) },
  // The pending request asks the case team's lead; an admin whose own limit covers it may step in.
  'POST /decisions/{id}/approve': { expect: 'F F A F F A F U' },
  'POST /decisions/{id}/decline': { expect: 'F F A F F A F U', body: () => ({ reason: 'Replace it instead' }) },
  'POST /cases/{id}/recoveries': { expect: WORK, body: () => ({ note: 'This was our OOPS' }) },
  'PATCH /recoveries/{id}': { expect: CASE, body: () => ({ causedByDepartmentId: null }) },
  'POST /recoveries/{id}/apology': { expect: CASE, body: () => ({ how: 'phone' }) },
  'POST /recoveries/{id}/fix': { expect: CASE, body: () => ({ what: 'sent a new one' }) },
  'POST /recoveries/{id}/surprise': { expect: CASE, body: () => ({ what: 'flowers' }) },
  'POST /recoveries/{id}/follow-up': { expect: CASE, body: () => ({ loyaltyAfter: 9 }) },
  'POST /surveys/{id}/invitations': { expect: WORK, body: (w) => ({ customerId: w.customerId }) },
  'POST /touchpoint-events': { expect: WORK, body: (w) => ({ customerId: w.customerId, touchpoint: 'delivery' }) },
  'POST /survey-responses/{id}/follow-up': { expect: WORK, body: () => ({ outcome: 'Called back' }) },
  'POST /public/surveys/{token}': { expect: PUBLIC, body: () => ({ answers: {} }) },
  'POST /webhooks': { expect: ADMIN_ONLY, body: () => ({ url: 'http://127.0.0.1:9/hooks', events: ['case.opened'] }) },
  'PATCH /webhooks/{id}': { expect: ADMIN_ONLY, body: () => ({ active: false }) },
  'DELETE /webhooks/{id}': { expect: ADMIN_ONLY },
  'POST /webhooks/{id}/rotate-secret': { expect: ADMIN_ONLY },
  'POST /webhooks/{id}/test': { expect: ADMIN_ONLY },
  'POST /webhooks/{id}/deliveries/{deliveryId}/redeliver': { expect: ADMIN_ONLY },
  // Chat: visitors need no sign-in (their conversation token is checked by the service); agents work cases.
  'POST /chat/conversations': { expect: PUBLIC, body: () => ({ language: 'en' }) },
  'POST /chat/conversations/{id}/messages': { expect: PUBLIC, body: () => ({ body: 'hello' }) },
  'POST /chat/conversations/{id}/person': { expect: PUBLIC },
  'POST /chat/conversations/{id}/typing': { expect: PUBLIC },
  'POST /chat/conversations/{id}/email': { expect: PUBLIC, body: () => ({ email: 'visitor@example.com' }) },
  'POST /chat/conversations/{id}/leave': { expect: PUBLIC },
  'POST /chat/conversations/{id}/end': { expect: PUBLIC },
  'PUT /chat/presence': { expect: WORK, body: () => ({ status: 'away' }) },
  'POST /chat/desk/{id}/accept': { expect: WORK },
  'POST /chat/desk/{id}/replies': { expect: WORK, body: () => ({ body: 'hello' }) },
  'POST /chat/desk/{id}/typing': { expect: WORK },
  'POST /chat/desk/{id}/end': { expect: WORK },
  'POST /chat/canned-answers': { expect: MERGE, body: () => ({ title: 'Greeting', body: 'Hello, how can I help?' }) }, // leads, managers, admins
  'DELETE /chat/canned-answers/{id}': { expect: MERGE },
  'POST /touchpoints': { expect: ADMIN_ONLY, body: () => ({ name: 'Deliver' }) },
  'PATCH /touchpoints/{id}': { expect: ADMIN_ONLY, body: () => ({ momentOfTruth: true }) },
  'POST /touchpoints/{id}/map': { expect: ADMIN_ONLY, body: () => ({ value: 'delivery' }) },
  'PUT /journey/settings': { expect: ADMIN_ONLY, body: () => ({ badExperienceWeight: 7 }) },
  'PUT /stars/settings': { expect: ADMIN_ONLY, body: () => ({ excludedCategories: [] }) },
  'PUT /loyalty-inputs/{key}/leader': { expect: 'F F F F A A A U', body: () => ({ leaderId: null }) },
  'POST /loyalty-inputs/{key}/ratings': { expect: 'F F F F A A A U', body: () => ({ current: 2, target: 4 }) },
  'POST /loyalty-inputs/{key}/actions': { expect: 'F F F F A A A U', body: () => ({ text: 'Train every team lead', dueAt: future(24) }) },
  'POST /kudos': { expect: SELF, body: (w) => ({ toStaffId: w.colleagueId, reason: 'Took my call while I was out' }) },
  'POST /notifications/read-all': { expect: SELF, body: () => ({}) },
  'POST /cases/{id}/presence': { expect: SELF, body: () => ({ state: 'viewing' }) },
  'POST /macros': { expect: WORK, body: () => ({ name: 'Thanks', body: 'Thank you, {{salutation}}.' }) },
  'PATCH /macros/{id}': { expect: WORK, body: () => ({ name: 'Thanks again' }) },
  'DELETE /macros/{id}': { expect: WORK },
  'POST /views': { expect: WORK, body: () => ({ name: 'Urgent email', filters: { view: 'open', priority: 'urgent', channel: 'email' } }) },
  'PATCH /views/{id}': { expect: WORK, body: () => ({ name: 'Renamed' }) },
  'DELETE /views/{id}': { expect: WORK },
  // Anyone who works cases may ask; each case is then allowed or refused on its own (200 with a
  // result per case): the per-case refusals are tested in api/workspace-bulk-and-views.
  'POST /cases/bulk': { expect: WORK, body: (w) => ({ caseIds: [w.caseId], action: 'status', status: 'waiting_on_us' }) },
};

const FINGERPRINTED = ['cases', 'case_entries', 'commitments', 'commitment_renegotiations', 'recoveries', 'decisions', 'handovers', 'customers',
  'staff', 'teams', 'departments', 'organisation', 'holidays', 'service_standards', 'authority_limits', 'policy_rules', 'decision_kinds',
  'surveys', 'survey_invitations', 'mailboxes', 'api_tokens', 'notifications', 'audit_log', 'outbound_emails', 'touchpoints', 'kudos', 'loyalty_inputs', 'loyalty_input_ratings', 'loyalty_input_actions', 'macros', 'saved_views'];

describe('authority matrix: every write operation, every kind of person', { timeout: 120_000 }, () => {
  let k: TestKept;
  let ops: string[];
  const email: Partial<Record<Who, string>> = {};
  const client: Partial<Record<Who, Api>> = {};
  let owner: Api & { id: number };
  let colleagueId: number;

  before(async () => {
    k = await startKept({ now: '2026-03-02T09:00:00Z' });
    const doc = (await k.anonymous().get('/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    ops = Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).filter((m) => ['post', 'put', 'patch', 'delete'].includes(m))
      .map((m) => `${m.toUpperCase()} ${p.replace(/^\/api\/v1/, '')}`));
    const admin = await k.signedIn('admin');
    const caseLead = await k.signedIn('lead');
    const otherLead = await k.signedIn('lead');
    const teamA = (await admin.post('/teams', { name: 'Team A', leadId: caseLead.id })).body.id;
    const teamB = (await admin.post('/teams', { name: 'Team B', leadId: otherLead.id })).body.id;
    await admin.patch(`/staff/${caseLead.id}`, { teamId: teamA });
    await admin.patch(`/staff/${otherLead.id}`, { teamId: teamB });
    owner = await k.signedIn('agent', { teamId: teamA });
    const ownTeam = await k.signedIn('agent', { teamId: teamA });
    colleagueId = ownTeam.id;
    Object.assign(client, {
      ownTeam, otherTeam: await k.signedIn('agent', { teamId: teamB }), caseLead, otherLead,
      manager: await k.signedIn('manager'), admin, executive: await k.signedIn('executive'), anonymous: k.anonymous(),
    });
    for (const who of WHO) if (who !== 'anonymous') email[who] = (await admin.get(`/staff/${(client[who] as Api & { id: number }).id}`)).body.email;
    await admin.post('/staff', { name: 'Matrix Person', email: 'matrix@example.test', role: 'agent', password: 'correct horse battery' });
    await admin.put('/authority-limits', { kind: 'refund', role: 'admin', amount: 1000, currency: 'EUR' });
  });
  after(() => k?.close());

  async function aWorld(): Promise<World> {
    const c = (await owner.post('/cases', { subject: 'Parcel lost', channel: 'phone', customer: { name: 'Pia Parcel' } })).body;
    const promise = (await owner.post(`/cases/${c.id}/commitments`, { text: 'Call back by noon', dueAt: future(3) })).body;
    const recovery = (await owner.post(`/cases/${c.id}/recoveries`, { note: 'Wrong address on the label' })).body;
    const decision = (await owner.post(`/cases/${c.id}/decisions`, { kind: 'refund', amount: 100, currency: 'EUR', reason: 'Lost parcel' })).body;
    const handover = (await owner.post(`/cases/${c.id}/handovers`, { toStaffId: colleagueId, note: 'You know this customer' })).body;
    assert.ok(promise.id && recovery.id && decision.status === 'pending' && handover.id, 'fixtures are real');
    return { caseId: c.id, customerId: c.customerId, promiseId: promise.id, recoveryId: recovery.id, decisionId: decision.id, handoverId: handover.id, colleagueId };
  }

  function pathFor(op: string, w: World): string {
    const path = op.split(' ')[1]!;
    const ids: Record<string, number> = { cases: w.caseId, commitments: w.promiseId, recoveries: w.recoveryId, decisions: w.decisionId, handovers: w.handoverId, customers: w.customerId };
    return path.replace('{day}', '2026-12-25').replace('{key}', 'education').replace('{token}', `sv_${'x'.repeat(43)}`).replace('{deliveryId}', '999999')
      .replace('{id}', String(ids[path.split('/')[1]!] ?? 999_999));
  }

  const fingerprint = async () => (await k.sql<{ f: string }>(`SELECT concat_ws(',', ${FINGERPRINTED.map((t) =>
    `(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM ${t} t)`).join(', ')}) AS f`))[0]!.f;

  async function call(who: Who, op: string, row: Row, w: World): Promise<Answer> {
    let api = client[who]!;
    if (row.freshSession) {
      api = new Api(k.baseUrl);
      if (who !== 'anonymous' && !op.endsWith('/sign-in')) await api.signIn(email[who]!, 'correct horse battery');
    }
    const method = op.split(' ')[0]!;
    return api.request(method, pathFor(op, w), row.body?.(w));
  }

  it('every write operation in the OpenAPI document has a row in the table', () => {
    assert.ok(ops.length > 40, `found ${ops.length} write operations`);
    assert.deepEqual(ops.filter((op) => !TABLE[op]), [], 'add these operations to the table with who may call them');
    assert.deepEqual(Object.keys(TABLE).filter((op) => !ops.includes(op)), [], 'these rows name operations that no longer exist');
  });

  it('each role gets the answer the table expects, and a refusal changes nothing', async () => {
    const wrong: string[] = [];
    for (const op of ops.filter((o) => TABLE[o])) {
      const row = TABLE[op]!;
      const expected = row.expect.split(/\s+/);
      assert.equal(expected.length, WHO.length, `${op}: one answer per role`);
      const w = await aWorld();
      // Refusals first: an allowed call may change the world (accept a hand-over, close the case).
      const order = [...WHO.keys()].sort((a, b) => Number(expected[a] === 'A') - Number(expected[b] === 'A'));
      for (const i of order) {
        const who = WHO[i]!;
        const want = expected[i]!;
        const before = want === 'F' ? await fingerprint() : null;
        const res = await call(who, op, row, w);
        const got = res.status;
        const ok = want === 'A' ? got !== 401 && got !== 403 && got < 500 : want === 'F' ? got === 403 : got === 401;
        if (!ok) wrong.push(`${op} as ${who}: expected ${want}, got ${got} ${JSON.stringify(res.body).slice(0, 160)}`);
        if (before !== null && got === 403 && (await fingerprint()) !== before) wrong.push(`${op} as ${who}: refused but the database changed`);
      }
    }
    assert.deepEqual(wrong, []);
  });
});
