/**
 * Moments of truth, department scorecards and service stars, checked against values computed by
 * hand on a small fixed data set. Answers go through the real path: an invitation about a case,
 * the link mailed to the customer, the answer on the public survey page.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startKept, type TestKept } from '../helpers/app';
import { HOUR } from '../../src/core/clock';

type Client = Awaited<ReturnType<TestKept['signedIn']>>;
const close = (a: number | null, b: number, eps = 0.01) => assert.ok(a !== null && Math.abs(a - b) < eps, `${a} ≈ ${b}`);

async function world(now: string) {
  const k = await startKept({ now });
  const admin = await k.signedIn('admin');
  await admin.patch('/settings', { surveyCooldownDays: 0 });
  const survey = (await admin.post('/surveys', { name: 'After a moment', trigger: 'relationship', questions: [{ kind: 'nps' }, { kind: 'ces' }] })).body;
  let n = 0;
  async function customer(name: string) {
    n += 1;
    const email = `c${n}@cust.example`;
    const c = (await admin.post('/customers', { name, emails: [email] })).body;
    return { id: c.id as number, email };
  }
  async function answer(agent: Client, who: { id: number; email: string }, nps: number, opts: { touchpoint?: string; comment?: string; ces?: number } = {}) {
    const c = (await agent.post('/cases', { subject: 'About my order', channel: 'email', customerId: who.id, touchpoint: opts.touchpoint })).body;
    assert.ok(c.id, JSON.stringify(c));
    const inv = await admin.post(`/surveys/${survey.id}/invitations`, { customerId: who.id, caseId: c.id });
    assert.equal(inv.status, 201, JSON.stringify(inv.body));
    const [mail] = await k.sql<{ text_body: string }>(`SELECT text_body FROM outbound_emails WHERE kind = 'survey' AND to_address = $1 ORDER BY id DESC LIMIT 1`, [who.email]);
    const token = /\/s\/(sv_\S+)/.exec(mail!.text_body)![1]!;
    const res = await fetch(`${k.baseUrl}/api/v1/public/surveys/${token}`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: { nps, ...(opts.ces ? { ces: opts.ces } : {}), ...(opts.comment ? { comment: opts.comment } : {}) }, complete: true }) });
    assert.equal(res.status, 200, await res.text());
    return c;
  }
  return { k, admin, customer, answer };
}

describe('the moments-of-truth map', { timeout: 120_000 }, () => {
  let k: TestKept;
  let admin: Client;
  let agent: Client;
  const ids: Record<string, number> = {};
  const period = () => `from=${encodeURIComponent('2026-05-01T00:00:00Z')}&to=${encodeURIComponent('2026-06-01T00:00:00Z')}`;

  before(async () => {
    const w = await world('2026-05-04T09:00:00Z');
    ({ k, admin } = w);
    const logistics = (await admin.post('/departments', { name: 'Logistics' })).body.id;
    agent = await k.signedIn('agent', { name: 'Ada Lovelace' });
    // Free text written before the journey existed.
    const c0 = await w.customer('Early Bird');
    await agent.post('/cases', { subject: 'Where is it', channel: 'email', customerId: c0.id, touchpoint: 'Delivery' });
    ids.buy = (await admin.post('/touchpoints', { name: 'Buy' })).body.id;
    ids.deliver = (await admin.post('/touchpoints', { name: 'Deliver', afterId: ids.buy, departmentId: logistics, momentOfTruth: true })).body.id;
    ids.bill = (await admin.post('/touchpoints', { name: 'Bill', afterId: ids.deliver })).body.id;
    const c = await Promise.all(Array.from({ length: 13 }, (_, i) => w.customer(`Customer ${i + 1}`)));
    // buy: 10 10 10 10 8 · deliver: 9 8 3 3 3 · bill: 9 9 9 8 2 — customers 1 and 2 answer twice.
    for (const [i, s] of [10, 10, 10, 10, 8].entries()) await w.answer(agent, c[i]!, s, { touchpoint: 'buy', ces: 6 });
    await w.answer(agent, c[0]!, 3, { touchpoint: 'deliver', ces: 2 }); // customer 1: promoter then detractor within 30 days
    for (const [i, s] of [9, 8, 3, 3].entries()) await w.answer(agent, c[5 + i]!, s, { touchpoint: 'Deliver', ces: 3 });
    await w.answer(agent, c[1]!, 9, { touchpoint: 'bill' }); // customer 2: two promoters
    for (const [i, s] of [9, 9, 8, 2].entries()) await w.answer(agent, c[9 + i]!, s, { touchpoint: 'bill' });
    await k.runTimers();
  });
  after(() => k?.close());

  it('lists the touchpoints in journey order with their owner and moment of truth', async () => {
    const list = (await admin.get('/touchpoints')).body.items;
    assert.deepEqual(list.map((t: { key: string }) => t.key), ['buy', 'deliver', 'bill']);
    assert.equal(list[1].momentOfTruth, true);
    assert.equal(list[1].position, 2);
  });

  it('refuses a duplicate or a cycle with a clear error and changes nothing', async () => {
    const dup = await admin.post('/touchpoints', { name: ' deliver ' });
    assert.equal(dup.status, 409);
    assert.match(dup.body.detail, /already a touchpoint "Deliver"/);
    const cycle = await admin.patch(`/touchpoints/${ids.buy}`, { afterId: ids.bill });
    assert.equal(cycle.status, 422);
    assert.equal(cycle.body.errors[0].field, 'body.afterId');
    assert.match(cycle.body.detail, /circle/);
    const self = await admin.patch(`/touchpoints/${ids.buy}`, { afterId: ids.buy });
    assert.equal(self.status, 422);
    const list = (await admin.get('/touchpoints')).body.items;
    assert.equal(list.length, 3);
    assert.equal(list[0].afterId, null);
  });

  it('refuses a touchpoint that is not on the journey, and stores the key of one that is', async () => {
    const bad = await agent.post('/cases', { subject: 'x', channel: 'email', customer: { name: 'Newcomer' }, touchpoint: 'teleport' });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.errors[0].field, 'body.touchpoint');
    const event = await agent.post('/touchpoint-events', { customerId: 1, touchpoint: 'teleport' });
    assert.equal(event.status, 422);
    const good = await agent.post('/cases', { subject: 'y', channel: 'email', customer: { name: 'Newcomer' }, touchpoint: 'BILL' });
    assert.equal(good.body.touchpoint, 'bill');
  });

  it('lists free text from before the journey for an admin to map, and maps it', async () => {
    const unmapped = (await admin.get('/touchpoints/unmapped')).body.items;
    assert.deepEqual(unmapped.map((u: { value: string }) => u.value), ['Delivery']);
    assert.equal((await agent.get('/touchpoints/unmapped')).status, 403);
    const mapped = await admin.post(`/touchpoints/${ids.deliver}/map`, { value: 'Delivery' });
    assert.equal(mapped.status, 200);
    assert.equal(mapped.body.changed.cases, 1);
    assert.deepEqual((await admin.get('/touchpoints/unmapped')).body.items, []);
    assert.equal((await admin.post(`/touchpoints/${ids.deliver}/map`, { value: 'Delivery' })).status, 422);
  });

  it('shows NPS with intervals, effort and the weighted experience score per touchpoint, as computed by hand', async () => {
    const map = (await agent.get(`/journey/map?${period()}`)).body;
    const [buy, deliver, bill] = map.touchpoints;
    assert.equal(map.badExperienceWeight, 7);
    assert.deepEqual([buy.nps.promoters, buy.nps.passives, buy.nps.detractors], [4, 1, 0]);
    assert.deepEqual([deliver.nps.promoters, deliver.nps.passives, deliver.nps.detractors], [1, 1, 3]);
    assert.deepEqual([bill.nps.promoters, bill.nps.passives, bill.nps.detractors], [3, 1, 1]);
    close(buy.nps.nps, 80); close(deliver.nps.nps, -40); close(bill.nps.nps, 40);
    // Experience score = 100 (P − 7D) / (P + passives + 7D)
    close(buy.experienceScore, 100 * 4 / 5); close(deliver.experienceScore, 100 * (1 - 21) / 23); close(bill.experienceScore, 100 * (3 - 7) / 11);
    // Adjusted Wald for deliver: n = 8, p = 1.75/8, d = 3.75/8, se = √((p + d − (p − d)²)/8)
    close(deliver.nps.low, 100 * (-0.25 - 1.96 * Math.sqrt(0.078125)));
    close(buy.effort.mean, 6); close(deliver.effort.mean, 2.8);
    assert.equal(deliver.volume, 6, 'five answered cases and the mapped one');
    assert.equal(deliver.recoveries.opened, 3, 'each detractor opened a recovery');
  });

  it('names the weakest moment only with an interval of its difference below zero', async () => {
    const map = (await agent.get(`/journey/map?${period()}`)).body;
    assert.equal(map.weakest.key, 'deliver');
    // rest = buy + bill: 7 promoters, 2 passives, 1 detractor → NPS 60
    close(map.weakest.restNps, 60);
    close(map.weakest.difference, -100);
    const seT = 100 * Math.sqrt(0.078125);
    const pr = 7.75 / 13, dr = 1.75 / 13;
    const seR = 100 * Math.sqrt((pr + dr - (pr - dr) ** 2) / 13);
    close(map.weakest.high, -100 + 1.96 * Math.sqrt(seT ** 2 + seR ** 2));
    assert.equal(map.weakest.significant, true);
  });

  it('measures consistency: a promoter and a detractor experience of one customer within 30 days', async () => {
    const map = (await agent.get(`/journey/map?${period()}`)).body;
    assert.equal(map.consistency.customersWithSeveralAnswers, 2);
    assert.equal(map.consistency.customersWithPromoterAndDetractorWithin30Days, 1);
    const v = [80, -40, 40];
    const mean = v.reduce((a, b) => a + b) / 3;
    close(map.consistency.npsSpread, Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / 3));
    assert.equal(map.consistency.npsRange, 120);
    const behind = (await agent.get(`/journey/behind?${period()}&figure=mixed_experience`)).body.items;
    assert.equal(new Set(behind.map((b: { customerName: string }) => b.customerName)).size, 1);
    assert.equal(behind[0].customerName, 'Customer 1');
  });

  it('lists the customers and cases behind a figure', async () => {
    const behind = (await agent.get(`/journey/behind?${period()}&figure=detractors&touchpoint=deliver`)).body.items;
    assert.equal(behind.length, 3);
    assert.ok(behind.every((b: { caseId: number; score: number }) => b.caseId && b.score <= 6));
  });

  it('puts the map next to the outcomes in the monthly review: page, CSV and PDF', async () => {
    const review = (await admin.get('/reviews/2026-05')).body;
    assert.equal(review.journey.weakest.key, 'deliver');
    assert.equal(review.journey.touchpoints.length, 3);
    assert.ok(Array.isArray(review.scorecards) && Array.isArray(review.stars) && review.inputs.items.length === 7);
    const csv = await fetch(`${k.baseUrl}/api/v1/reviews/2026-05/csv`, { headers: { cookie: (admin as unknown as { cookie: string }).cookie } });
    const text = await csv.text();
    assert.match(text, /weakest_moment,Deliver \(significant\),-100\.0/);
    assert.match(text, /touchpoint_experience_score,Deliver,-87\.0/);
    const pdf = await fetch(`${k.baseUrl}/api/v1/reviews/2026-05/pdf`, { headers: { cookie: (admin as unknown as { cookie: string }).cookie } });
    assert.equal(pdf.status, 200);
    assert.equal(Buffer.from(await pdf.arrayBuffer()).subarray(0, 4).toString(), '%PDF');
  });

  it('lets an admin weigh bad experiences differently', async () => {
    assert.equal((await admin.put('/journey/settings', { badExperienceWeight: 1 })).status, 200);
    const map = (await agent.get(`/journey/map?${period()}`)).body;
    close(map.touchpoints[1].experienceScore, -40, 0.001);
    assert.equal((await admin.put('/journey/settings', { badExperienceWeight: 0 })).status, 400);
    await admin.put('/journey/settings', { badExperienceWeight: 7 });
  });
});

describe('service stars and kudos', { timeout: 120_000 }, () => {
  let k: TestKept;
  let admin: Client;
  let ada: Client;
  let ben: Client;
  let cy: Client;
  let w: Awaited<ReturnType<typeof world>>;
  const month = 'month=2026-05';

  before(async () => {
    w = await world('2026-05-04T09:00:00Z');
    ({ k, admin } = w);
    const team = (await admin.post('/teams', { name: 'Front Line' })).body.id;
    ada = await k.signedIn('agent', { name: 'Ada Byron', teamId: team });
    ben = await k.signedIn('agent', { name: 'Ben Okri', teamId: team });
    cy = await k.signedIn('agent', { name: 'Cy Twombly', teamId: team });
    const c = await Promise.all(Array.from({ length: 6 }, (_, i) => w.customer(`Customer ${i + 1}`)));
    // Ada: 10 (with a compliment), 10, 8, 8 → loyalty 2 of 4, compliments 1 of 1
    await w.answer(ada, c[0]!, 10, { comment: 'Ada was wonderful and so helpful, thank you!' });
    await w.answer(ada, c[1]!, 10);
    await w.answer(ada, c[2]!, 8, { comment: 'Ada took ages, not impressed and annoyed' }); // names her, but not a compliment
    await w.answer(ada, c[3]!, 8);
    // Cy: one answer, a promoter → 1 of 1
    await w.answer(cy, c[4]!, 10);
    // Ben: a promise kept (1 of 1) and kudos from Ada (1 of 1)
    const bc = (await ben.post('/cases', { subject: 'Call me', channel: 'phone', customerId: c[5]!.id })).body;
    const promise = (await ben.post(`/cases/${bc.id}/commitments`, { text: 'Call back at ten', dueAt: new Date(Date.parse('2026-05-04T09:00:00Z') + 2 * HOUR).toISOString() })).body;
    assert.equal((await ben.post(`/commitments/${promise.id}/keep`)).status, 200);
    const kudos = await ada.post('/kudos', { toStaffId: ben.id, reason: 'Covered my calls while I was ill' });
    assert.equal(kudos.status, 201, JSON.stringify(kudos.body));
    await k.runTimers();
  });
  after(() => k?.close());

  interface Person { staffId: number; score: number; low: number; high: number; teamRate: number; rawRate: number; star: boolean; categories: Record<string, { good: number; moments: number }> }
  const person = (stars: { people: Person[] }, id: number) => stars.people.find((p) => p.staffId === id)!;

  it('shrinks each score toward the team rate by sample size: a one-answer agent does not top the page', async () => {
    const stars = (await ada.get(`/stars?${month}`)).body;
    const [a, b, c] = [person(stars, ada.id), person(stars, ben.id), person(stars, cy.id)];
    assert.deepEqual(a.categories.loyalty, { good: 2, moments: 4 });
    assert.deepEqual(a.categories.compliments, { good: 1, moments: 1 });
    assert.deepEqual(b.categories.kudos, { good: 1, moments: 1 });
    assert.deepEqual(b.categories.promises, { good: 1, moments: 1 });
    // team rate = (3 + 2 + 1) / (5 + 2 + 1) = 0.75; score = (good + 5 × 0.75) / (moments + 5)
    close(c.teamRate, 0.75, 1e-9);
    close(c.rawRate, 1, 1e-9);
    close(c.score, 100 * (1 + 3.75) / 6);
    close(a.score, 100 * (3 + 3.75) / 10);
    close(b.score, 100 * (2 + 3.75) / 7);
    close(c.high, 100);
    close(c.low, 100 * (0.791667 - 1.96 * Math.sqrt(0.791667 * 0.208333 / 7)));
    assert.equal(c.star, false, 'one lucky answer is no star');
    assert.equal(stars.people[0].staffId, ben.id);
  });

  it('never changes when only sales-like fields change: customer value, goodwill amounts, case volume', async () => {
    const before = (await admin.get(`/stars?${month}`)).body;
    await admin.patch('/customers/1', { segment: 'gold' });
    for (let i = 0; i < 5; i++) await cy.post('/cases', { subject: `Upsell ${i}`, channel: 'phone', customer: { name: `Prospect ${i}` }, priority: 'high' });
    const cc = (await cy.post('/cases', { subject: 'Refund', channel: 'phone', customer: { name: 'Big Spender' } })).body;
    await cy.post(`/cases/${cc.id}/decisions`, { kind: 'credit', amount: 5000, currency: 'EUR', reason: 'Bought the premium plan' });
    await k.runTimers();
    assert.deepEqual((await admin.get(`/stars?${month}`)).body, before);
  });

  it('refuses a self-kudos with a clear error and records nothing', async () => {
    const count = async () => (await k.sql<{ n: number }>('SELECT count(*)::int AS n FROM kudos'))[0]!.n;
    const n = await count();
    const self = await ada.post('/kudos', { toStaffId: ada.id, reason: 'I was great' });
    assert.equal(self.status, 422);
    assert.equal(self.body.errors[0].field, 'body.toStaffId');
    assert.equal((await ada.post('/kudos', { toStaffId: ben.id })).status, 400, 'a reason is required');
    assert.equal(await count(), n);
  });

  it('shows a kudos feed and a personal history', async () => {
    const feed = (await cy.get('/kudos')).body.items;
    assert.equal(feed[0].toStaffName, 'Ben Okri');
    assert.equal(feed[0].fromStaffName, 'Ada Byron');
    assert.equal(feed[0].reason, 'Covered my calls while I was ill');
    const history = (await cy.get(`/stars/staff/${ben.id}?${month}`)).body;
    assert.equal(history.months.length, 6);
    assert.equal(history.months.at(-1).month, '2026-05');
    close(history.months.at(-1).score, 100 * (2 + 3.75) / 7);
    assert.equal(history.kudos.length, 1);
  });

  it('lets an admin exclude a category but never add sales', async () => {
    assert.equal((await admin.put('/stars/settings', { excludedCategories: ['sales'] })).status, 400);
    assert.equal((await ada.put('/stars/settings', { excludedCategories: ['kudos'] })).status, 403);
    assert.equal((await admin.put('/stars/settings', { excludedCategories: ['kudos'] })).status, 200);
    const stars = (await admin.get(`/stars?${month}`)).body;
    assert.deepEqual(stars.excludedCategories, ['kudos']);
    // team rate = (3 + 1 + 1) / (5 + 1 + 1) = 5/7; Ben (1 + 25/7) / 6
    close(person(stars, ben.id).score, 100 * (1 + 25 / 7) / 6);
    await admin.put('/stars/settings', { excludedCategories: [] });
  });
});

describe('department scorecards: customer service is everyone\'s job', { timeout: 120_000 }, () => {
  let k: TestKept;
  let admin: Client;
  let exec: Client;
  let financeLead: Client;
  let warehouseAgent: Client;
  let finance: number;
  let warehouse: number;
  const period = `from=${encodeURIComponent('2026-05-01T00:00:00Z')}&to=${encodeURIComponent('2026-06-01T00:00:00Z')}`;

  before(async () => {
    const w = await world('2026-05-04T09:00:00Z');
    ({ k, admin } = w);
    finance = (await admin.post('/departments', { name: 'Finance', servesExternalCustomers: false })).body.id;
    warehouse = (await admin.post('/departments', { name: 'Warehouse' })).body.id;
    const desk = (await admin.post('/teams', { name: 'Accounts desk', departmentId: finance })).body.id;
    const floor = (await admin.post('/teams', { name: 'Dispatch', departmentId: warehouse })).body.id;
    financeLead = await k.signedIn('lead', { name: 'Fay Finance', teamId: desk, departmentId: finance });
    warehouseAgent = await k.signedIn('agent', { name: 'Wes Warehouse', teamId: floor, departmentId: warehouse });
    exec = await k.signedIn('executive');
    assert.equal((await admin.post('/standards', { caseType: 'internal_request', firstResponseMinutes: 30, resolutionMinutes: 60 })).status, 201);
    // Two internal requests from the Warehouse to Finance: one resolved within its hour, one late.
    const r1 = (await warehouseAgent.post('/cases', { subject: 'Invoice copy for a courier', channel: 'other', customer: { name: 'Wes as requester' }, requesterDepartmentId: warehouse, teamId: desk, ownerId: null })).body;
    k.clock.advance(60_000);
    const r2 = (await warehouseAgent.post('/cases', { subject: 'Credit note', channel: 'other', customerId: r1.customerId, requesterDepartmentId: warehouse, teamId: desk, ownerId: null })).body;
    assert.equal(r1.type, 'internal_request');
    assert.ok(r1.resolutionDueAt, 'internal requests have their own standard');
    await financeLead.post(`/cases/${r1.id}/take`);
    await financeLead.post(`/cases/${r2.id}/take`);
    k.clock.advance(HOUR / 2);
    assert.equal((await financeLead.patch(`/cases/${r1.id}`, { status: 'resolved' })).status, 200);
    k.clock.advance(2 * HOUR);
    await financeLead.patch(`/cases/${r2.id}`, { status: 'resolved' });
    // A case the Warehouse caused, with a detractor answer from its customer, and a promise of Finance's lead kept.
    const hurt = await w.customer('Hurt Customer');
    const caused = (await warehouseAgent.post('/cases', { subject: 'Parcel crushed', channel: 'email', customerId: hurt.id, causedByDepartmentId: warehouse })).body;
    const promise = (await financeLead.post(`/cases/${r1.id}/commitments`, { text: 'Send the copy today', dueAt: new Date(k.clock.now().getTime() + HOUR).toISOString() })).body;
    await financeLead.post(`/commitments/${promise.id}/keep`);
    await w.answer(warehouseAgent, hurt, 2);
    const happy = await w.customer('Happy Customer');
    await w.answer(warehouseAgent, happy, 10);
    await k.runTimers();
    assert.ok(caused.id);
  });
  after(() => k?.close());

  it('gives a department with no external customers a scorecard with its internal requests', async () => {
    const card = (await financeLead.get(`/scorecards/${finance}?${period}`)).body;
    assert.equal(card.servesExternalCustomers, false);
    assert.deepEqual(card.internalRequests, { received: 2, resolved: 2, withStandard: 2, withinStandard: 1, standardMetRate: 0.5, made: 0 });
    assert.deepEqual(card.promises, { made: 1, kept: 1, broken: 0, keptRate: 1 });
    assert.equal(card.firstContact.handled, 2);
    assert.equal(card.firstContact.repeatContacts, 1, 'the same requester came back about the same need within 7 days');
  });

  it("shows the causing department its cases, recoveries and its failures' customers' NPS against the rest", async () => {
    const card = (await warehouseAgent.get(`/scorecards/${warehouse}?${period}`)).body;
    assert.equal(card.casesCaused, 1);
    assert.equal(card.internalRequests.made, 2);
    assert.equal(card.loyalty.touchedByFailures.answers, 1);
    assert.equal(card.loyalty.touchedByFailures.nps, -100);
    assert.equal(card.loyalty.others.nps, 100);
    assert.ok(card.loyalty.touchedByFailures.low < card.loyalty.touchedByFailures.high);
  });

  it("lets executives see all departments side by side, and nobody else open another department's", async () => {
    const all = (await exec.get(`/scorecards?${period}`)).body;
    assert.equal(all.scope, 'all');
    assert.deepEqual(all.items.map((d: { name: string }) => d.name), ['Finance', 'Warehouse']);
    const own = (await warehouseAgent.get(`/scorecards?${period}`)).body;
    assert.equal(own.scope, 'own');
    assert.deepEqual(own.items.map((d: { name: string }) => d.name), ['Warehouse']);
    const other = await warehouseAgent.get(`/scorecards/${finance}?${period}`);
    assert.equal(other.status, 403);
    assert.match(other.body.detail, /own people/);
    assert.equal((await exec.get(`/scorecards/${finance}?${period}`)).status, 200);
  });
});

describe('the seven loyalty inputs', { timeout: 60_000 }, () => {
  let k: TestKept;
  let admin: Client;
  let ceo: Client;
  let coo: Client;
  let manager: Client;
  let agent: Client;

  before(async () => {
    k = await startKept({ now: '2026-05-04T09:00:00Z' });
    admin = await k.signedIn('admin');
    ceo = await k.signedIn('executive', { name: 'Cleo Chief' });
    coo = await k.signedIn('executive', { name: 'Otto Operations' });
    manager = await k.signedIn('manager', { name: 'Mina Manager' });
    agent = await k.signedIn('agent');
  });
  after(() => k?.close());

  it('lets several leaders rate each input on the described 1–5 scale, and shows the spread and the trend by quarter', async () => {
    assert.equal((await ceo.post('/loyalty-inputs/education/ratings', { current: 1, target: 3, quarter: '2026-Q1' })).status, 201);
    await ceo.post('/loyalty-inputs/education/ratings', { current: 2, target: 4, evidence: 'Half the teams had the loyalty course' });
    await coo.post('/loyalty-inputs/education/ratings', { current: 4, target: 5 });
    await manager.post('/loyalty-inputs/education/ratings', { current: 3, target: 4 });
    await manager.post('/loyalty-inputs/education/ratings', { current: 3, target: 5 }); // a second rating replaces the first
    const body = (await agent.get('/loyalty-inputs')).body;
    assert.equal(body.quarter, '2026-Q2');
    assert.equal(body.inputs.length, 7);
    assert.equal(body.levels.length, 5);
    assert.ok(body.levels.every((l: { description: string }) => l.description.length > 10));
    const edu = body.inputs.find((i: { key: string }) => i.key === 'education');
    assert.equal(edu.ratings.length, 3);
    assert.deepEqual([edu.current.mean, edu.current.min, edu.current.max], [3, 2, 4]);
    close(edu.current.sd, Math.sqrt(2 / 3));
    close(edu.target.mean, 14 / 3);
    assert.deepEqual(edu.trend.map((t: { quarter: string }) => t.quarter), ['2025-Q3', '2025-Q4', '2026-Q1', '2026-Q2']);
    assert.deepEqual(edu.trend[2], { quarter: '2026-Q1', raters: 1, current: 1, target: 3 });
  });

  it('refuses a rating outside 1–5 with a clear error and changes nothing', async () => {
    const before = await k.sql('SELECT * FROM loyalty_input_ratings ORDER BY id');
    const high = await ceo.post('/loyalty-inputs/education/ratings', { current: 6, target: 5 });
    assert.equal(high.status, 400);
    assert.match(JSON.stringify(high.body.errors), /current/);
    assert.equal((await ceo.post('/loyalty-inputs/education/ratings', { current: 2, target: 0 })).status, 400);
    assert.equal((await ceo.post('/loyalty-inputs/teleportation/ratings', { current: 2, target: 3 })).status, 400);
    assert.equal((await agent.post('/loyalty-inputs/education/ratings', { current: 2, target: 3 })).status, 403);
    assert.deepEqual(await k.sql('SELECT * FROM loyalty_input_ratings ORDER BY id'), before);
  });

  it('makes each action a promise of its leader: past its due date it is a broken promise', async () => {
    assert.equal((await admin.put('/loyalty-inputs/education/leader', { leaderId: manager.id })).status, 200);
    const due = new Date(k.clock.now().getTime() + 48 * HOUR).toISOString();
    const action = await ceo.post('/loyalty-inputs/education/actions', { text: 'Every team lead takes the loyalty course', dueAt: due });
    assert.equal(action.status, 201, JSON.stringify(action.body));
    assert.equal(action.body.ownerId, manager.id);
    assert.equal((await ceo.post('/loyalty-inputs/measurement/actions', { text: 'Owner for every figure', dueAt: due })).status, 422, 'no leader, no owner');
    k.clock.advance(49 * HOUR);
    await k.runTimers();
    const body = (await agent.get('/loyalty-inputs')).body;
    assert.equal(body.overdueActions.length, 1);
    assert.equal(body.overdueActions[0].status, 'broken');
    assert.equal(body.overdueActions[0].ownerName, 'Mina Manager');
    const [row] = await k.sql<{ status: string; owner_id: number; case_id: number | null }>('SELECT status, owner_id::int, case_id FROM commitments WHERE id = $1', [action.body.commitmentId]);
    assert.deepEqual(row, { status: 'broken', owner_id: manager.id, case_id: null });
    const alerts = await k.sql<{ kind: string }>('SELECT kind FROM notifications WHERE staff_id = $1', [manager.id]);
    assert.ok(alerts.some((a) => a.kind === 'commitment_broken'), 'the leader is told');
    const review = (await ceo.get('/reviews/2026-05')).body;
    assert.equal(review.inputs.overdueActions[0].owner, 'Mina Manager');
    const mine = (await manager.get('/my-work')).body;
    assert.equal(mine.counts.promisesOverdue, 1, "in the leader's own My work, as a broken promise");
    assert.equal(mine.promises[0].text, 'Every team lead takes the loyalty course');
  });
});
