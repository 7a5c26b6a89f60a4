import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seedDemo } from '../src/cli/seed';
import { startKept, type TestKept } from './helpers/app';
import { checkInvariants } from './helpers/invariants';

describe('kept seed --demo', { timeout: 120_000 }, () => {
  let k: TestKept;
  before(async () => {
    k = await startKept({ now: '2026-11-02T10:00:00Z' });
    await seedDemo(k.kept.ctx, { cases: 400, customers: 150 });
  });
  after(() => k?.close());

  it('plays a realistic year: departments, staff, customers and cases with the whole life of a case', async () => {
    const [counts] = await k.sql<Record<string, number> & { cases: number; spans_the_year: boolean }>(`SELECT
      (SELECT count(*)::int FROM departments) AS departments, (SELECT count(*)::int FROM staff) AS staff,
      (SELECT count(*)::int FROM customers) AS customers, (SELECT count(*)::int FROM cases) AS cases,
      (SELECT count(*)::int FROM handovers WHERE status = 'accepted') AS handovers,
      (SELECT count(*)::int FROM commitments WHERE kind = 'promise' AND status = 'kept') AS kept,
      (SELECT count(*)::int FROM commitments WHERE kind = 'promise' AND status = 'broken') AS broken,
      (SELECT count(*)::int FROM commitments WHERE kind <> 'promise' AND status = 'kept') AS standards_met,
      (SELECT count(*)::int FROM commitments WHERE kind <> 'promise' AND status = 'broken') AS standards_missed,
      (SELECT count(*)::int FROM decisions) AS decisions, (SELECT count(*)::int FROM recoveries WHERE fix_at IS NOT NULL) AS recoveries_fixed,
      (SELECT count(*)::int FROM survey_responses) AS responses,
      (SELECT min(opened_at) FROM cases) < '2026-01-01' AS spans_the_year`);
    assert.deepEqual([counts!.departments, counts!.staff, counts!.customers], [8, 40, 150]);
    assert.ok(counts!.cases >= 400, `cases: ${counts!.cases}`); // survey answers open recovery cases too
    for (const key of ['handovers', 'kept', 'broken', 'standards_met', 'standards_missed', 'decisions', 'recoveries_fixed', 'responses'] as const) {
      assert.ok(counts![key]! > 0, `${key}: ${counts![key]}`);
    }
    assert.ok(counts!.spans_the_year);
  });

  it('has a journey with a weakest moment, internal requests for departments without customers, stars and the seven inputs', async () => {
    const api = k.anonymous();
    await api.signIn('eleanor.vance@northwind.example', 'demo-password');
    const period = `from=${encodeURIComponent('2025-11-02T10:00:00Z')}&to=${encodeURIComponent('2026-11-02T10:00:00Z')}`;
    const map = (await api.get(`/journey/map?${period}`)).body;
    assert.equal(map.touchpoints.length, 6);
    // At this small size the weakest moment may be any; its interval is always named.
    assert.ok(map.weakest.name && map.weakest.low < map.weakest.high, JSON.stringify(map.weakest));
    const cards = (await api.get(`/scorecards?${period}`)).body.items as { name: string; servesExternalCustomers: boolean; internalRequests: { received: number } }[];
    const it = cards.find((d) => d.name === 'IT')!;
    assert.equal(it.servesExternalCustomers, false);
    assert.ok(it.internalRequests.received + cards.find((d) => d.name === 'Warehouse')!.internalRequests.received > 0);
    assert.ok((await api.get('/kudos')).body.items.length > 0);
    const inputs = (await api.get('/loyalty-inputs?quarter=2026-Q2')).body;
    assert.ok(inputs.inputs.every((i: { ratings: unknown[]; leader: unknown }) => i.ratings.length >= 2 && i.leader));
    const actions = await k.sql<{ n: number }>(`SELECT count(*)::int AS n FROM loyalty_input_actions a JOIN commitments c ON c.id = a.commitment_id WHERE c.case_id IS NULL AND c.kind = 'promise'`);
    assert.ok(actions[0]!.n >= 3, 'the quarterly actions are promises');
  });

  it('obeys every rule of the product, as checked over the whole database', async () => {
    assert.deepEqual(await checkInvariants((text) => k.sql(text)), []);
  });

  it('the demo admin signs in with the documented password', async () => {
    const api = k.anonymous();
    const res = await api.post('/auth/sign-in', { email: 'demo.admin@northwind.example', password: 'demo-password' });
    assert.equal(res.status, 200);
  });

  it('does nothing to a database that already has cases', async () => {
    const before = (await k.sql<{ n: number }>('SELECT count(*)::int AS n FROM cases'))[0]!.n;
    await seedDemo(k.kept.ctx, { cases: 50, onlyIfEmpty: true });
    assert.equal((await k.sql<{ n: number }>('SELECT count(*)::int AS n FROM cases'))[0]!.n, before);
  });
});
