import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seedDemo } from '../src/cli/seed';
import { startKept, type TestKept } from './helpers/app';

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
