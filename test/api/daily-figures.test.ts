/**
 * The daily figures behind the map, scorecards, stars and review stay equal to a fresh recompute
 * from the raw rows after a mix of real writes over several days: cases opened, moved to another
 * touchpoint and resolved, survey answers, promises kept and broken (and the recovery a broken one
 * opens), kudos, a customer erased — for every day the timer has closed (today is read from the raw
 * rows). And the pages read them: a past day's figures changed behind the subscriber's back show on the page.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startKept, type TestKept } from '../helpers/app';
import { DAY, HOUR } from '../../src/core/clock';
import { complimentsIn } from '../../src/daily-figures';

type Client = Awaited<ReturnType<TestKept['signedIn']>>;

const TABLES = [
  { table: 'touchpoint_days', fn: 'touchpoint_figures', key: 'touchpoint' },
  { table: 'department_days', fn: 'department_figures', key: 'department_id' },
  { table: 'staff_days', fn: 'staff_figures', key: 'staff_id' },
  { table: 'survey_days', fn: 'survey_figures', key: 'day' },
];

describe('daily figures', { timeout: 180_000 }, () => {
  let k: TestKept;
  let admin: Client;
  let ada: Client;
  let ben: Client;
  let survey: { id: number };
  let n = 0;

  async function customer(name: string) {
    n += 1;
    const email = `d${n}@cust.example`;
    return { id: (await admin.post('/customers', { name, emails: [email] })).body.id as number, email };
  }
  async function answer(agent: Client, who: { id: number; email: string }, nps: number, touchpoint: string, comment?: string) {
    const c = (await agent.post('/cases', { subject: 'About my order', channel: 'email', customerId: who.id, touchpoint })).body;
    assert.equal((await admin.post(`/surveys/${survey.id}/invitations`, { customerId: who.id, caseId: c.id })).status, 201);
    const [mail] = await k.sql<{ text_body: string }>(`SELECT text_body FROM outbound_emails WHERE kind = 'survey' AND to_address = $1 ORDER BY id DESC LIMIT 1`, [who.email]);
    const token = /\/s\/(sv_\S+)/.exec(mail!.text_body)![1]!;
    const res = await fetch(`${k.baseUrl}/api/v1/public/surveys/${token}`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: { nps, ces: 3, ...(comment ? { comment } : {}) }, complete: true }) });
    assert.equal(res.status, 200, await res.text());
    return c as { id: number };
  }
  async function assertSummariesMatchRawRows() {
    await k.runTimers();
    // The days the pages trust: every day before today, once the timer has closed it.
    const [state] = await k.sql<{ day: string }>(`SELECT to_char(complete_before, 'YYYY-MM-DD') AS day FROM daily_figures_state`);
    assert.equal(state!.day, k.clock.now().toISOString().slice(0, 10), 'every day before today is closed');
    for (const t of TABLES) {
      const kept = await k.sql(`SELECT * FROM ${t.table} WHERE day < $1 ORDER BY day, ${t.key}`, [state!.day]);
      const fresh = await k.sql(`SELECT * FROM ${t.fn}('-infinity', $1::date) ORDER BY day, ${t.key}`, [state!.day]);
      assert.deepEqual(kept, fresh, `${t.table} equals a fresh recompute from the raw rows`);
    }
    // Compliments: the rows kept as the texts arrived equal those found again in every text.
    const kept = await k.sql(`SELECT source, staff_id::int AS "staffId", to_char(day, 'YYYY-MM-DD') AS day FROM compliments WHERE day < $1 ORDER BY source, staff_id`, [state!.day]);
    const fresh = (await complimentsIn(k.kept.db, { from: new Date('2000-01-01T00:00:00Z'), to: new Date(`${state!.day}T00:00:00Z`) }))
      .map((c) => ({ source: c.source, staffId: c.staffId, day: c.day })).sort((a, b) => a.source.localeCompare(b.source) || a.staffId - b.staffId);
    assert.deepEqual(kept, fresh, 'compliments equal a fresh search of the raw texts');
  }

  before(async () => {
    k = await startKept({ now: '2026-05-04T09:00:00Z' });
    admin = await k.signedIn('admin');
    await admin.patch('/settings', { surveyCooldownDays: 0 });
    survey = (await admin.post('/surveys', { name: 'After a moment', trigger: 'relationship', questions: [{ kind: 'nps' }, { kind: 'ces' }] })).body;
    const logistics = (await admin.post('/departments', { name: 'Logistics' })).body.id;
    const team = (await admin.post('/teams', { name: 'Front Line', departmentId: logistics })).body.id;
    ada = await k.signedIn('agent', { name: 'Ada Byron', teamId: team });
    ben = await k.signedIn('agent', { name: 'Ben Okri', teamId: team });
    await admin.post('/touchpoints', { name: 'Buy' });
    await admin.post('/touchpoints', { name: 'Deliver', departmentId: logistics, momentOfTruth: true });
  });
  after(() => k?.close());

  it('stay equal to a recompute from the raw rows after a mix of writes over several days, an erasure included', async () => {
    const [c1, c2, c3, c4] = await Promise.all(['One', 'Two', 'Three', 'Four'].map((x) => customer(`Customer ${x}`)));
    // Day 1: answers on two touchpoints, a promise that will be kept and one that will be broken.
    const first = await answer(ada, c1!, 10, 'buy', 'Ada was wonderful, thank you');
    await answer(ben, c2!, 3, 'deliver', 'Too slow, I had to call three times');
    const kept = (await ada.post(`/cases/${first.id}/commitments`, { text: 'Call back at ten', dueAt: new Date(Date.parse('2026-05-04T11:00:00Z')).toISOString() })).body;
    const late = (await ben.post('/cases', { subject: 'Broken parcel', channel: 'phone', customerId: c3!.id, touchpoint: 'deliver', causedByDepartmentId: 1 })).body;
    await ben.post(`/cases/${late.id}/commitments`, { text: 'Send a new one', dueAt: new Date(Date.parse('2026-05-04T15:00:00Z')).toISOString() });
    assert.equal((await ada.post(`/commitments/${kept.id}/keep`)).status, 200);
    await assertSummariesMatchRawRows();

    // Day 2: the other promise broke overnight; the same customer is back about the same need; kudos.
    k.clock.advance(DAY);
    await k.runTimers();
    await ben.post('/cases', { subject: 'Still broken', channel: 'phone', customerId: c3!.id, touchpoint: 'deliver' });
    await ada.post('/kudos', { toStaffId: ben.id, reason: 'Covered my calls' });
    await answer(ada, c4!, 9, 'buy', 'Thanks to Ben Okri and to Ada, great help');
    await assertSummariesMatchRawRows();

    // Day 3: yesterday's case moves to another touchpoint, a day-1 case is resolved, a customer is erased.
    k.clock.advance(DAY + 3 * HOUR);
    assert.equal((await ben.patch(`/cases/${late.id}`, { touchpoint: 'buy' })).status, 200);
    assert.equal((await ada.patch(`/cases/${first.id}`, { status: 'resolved' })).status, 200);
    const manager = await k.signedIn('manager');
    assert.equal((await manager.post(`/customers/${c2!.id}/erase`, { reason: 'Asked by email' })).status, 200);
    await assertSummariesMatchRawRows();
    // Day 1 is closed: only the subscriber takes back the compliment of an erased customer's comment.
    assert.equal((await manager.post(`/customers/${c1!.id}/erase`, { reason: 'Asked by phone' })).status, 200);
    await assertSummariesMatchRawRows();

    const [seen] = await k.sql<Record<string, number>>(`SELECT (SELECT count(DISTINCT day) FROM survey_days WHERE day < '2026-05-06')::int AS days,
      (SELECT sum(promises_broken) FROM touchpoint_days)::int AS broken, (SELECT sum(repeats) FROM touchpoint_days)::int AS repeats,
      (SELECT sum(kudos) FROM staff_days)::int AS kudos, (SELECT sum(cases_caused) FROM department_days)::int AS caused,
      (SELECT sum(recoveries) FROM department_days)::int AS recoveries, (SELECT count(*) FROM compliments)::int AS compliments`);
    assert.deepEqual(seen, { days: 2, broken: 1, repeats: 1, kudos: 1, caused: 1, recoveries: 1, compliments: 2 }, 'the mix reached every kind of figure');
  });

  it('are what the pages read for whole past days', async () => {
    const period = `from=${encodeURIComponent('2026-05-01T00:00:00Z')}&to=${encodeURIComponent('2026-06-01T00:00:00Z')}`;
    const before = (await admin.get(`/journey/map?${period}`)).body;
    const buy = before.touchpoints.find((t: { key: string }) => t.key === 'buy');
    // Behind the subscriber's back: the page shows what the summary says for a past day.
    await k.sql(`UPDATE touchpoint_days SET cases = cases + 5 WHERE touchpoint = 'buy' AND day = '2026-05-04'`);
    const after = (await admin.get(`/journey/map?${period}`)).body;
    assert.equal(after.touchpoints.find((t: { key: string }) => t.key === 'buy').volume, buy.volume + 5);
    await k.sql(`SELECT refresh_daily_figures('2026-05-04', '2026-05-05')`);
    assert.deepEqual((await admin.get(`/journey/map?${period}`)).body, before);

    // The stars count the compliment rows of whole past days, and find today's in the raw texts.
    const stars = async () => (await admin.get('/stars?month=2026-05')).body.people.find((p: { staffId: number }) => p.staffId === ada.id).categories.compliments;
    const was = await stars();
    assert.ok(was.good >= 1, 'a comment that names Ada and reads positive is a compliment');
    await k.sql(`INSERT INTO compliments (source, staff_id, day) VALUES ('response:999999', $1, '2026-05-04')`, [ada.id]);
    assert.deepEqual(await stars(), { good: was.good + 1, moments: was.moments + 1 });
    await k.sql(`DELETE FROM compliments WHERE source = 'response:999999'`);
  });
});
