import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateScaleOrg, type ScaleOrg } from '../../bench/scale/generate';
import { startKept, type TestKept } from '../helpers/app';
import { checkInvariants } from '../helpers/invariants';

describe('generated scale data (bench/scale)', { timeout: 180_000 }, () => {
  let k: TestKept;
  let org: ScaleOrg;
  before(async () => {
    k = await startKept({ now: '2026-11-02T10:00:00Z' });
    org = await generateScaleOrg(k.kept.db, { cases: 20_000, now: k.clock.now(), bulk: false });
  });
  after(() => k?.close());

  it('obeys every rule the demo data obeys', async () => {
    assert.deepEqual(await checkInvariants(k.sql), []);
  });

  it('the invariant checks do notice a broken rule', async () => {
    await k.sql(`UPDATE cases SET handover_count = handover_count + 1 WHERE id = (SELECT min(id) FROM cases)`);
    try {
      const broken = await checkInvariants(k.sql);
      assert.deepEqual(broken.map((v) => [v.rule, v.count]), [['the hand-over count is the accepted hand-overs', 1]]);
    } finally {
      await k.sql(`UPDATE cases SET handover_count = handover_count - 1 WHERE id = (SELECT min(id) FROM cases)`);
    }
  });

  it('looks like a real help desk: mostly closed, open cases spread over owners and team queues', async () => {
    const [r] = await k.sql<Record<'cases' | 'done' | 'open_owners' | 'queues' | 'staff' | 'teams' | 'customers' | 'entries' | 'promised' | 'answers' | 'at_risk' | 'offers' | 'events', number>>(`SELECT
      (SELECT count(*)::int FROM cases) AS cases,
      (SELECT count(*)::int FROM cases WHERE status IN ('resolved', 'closed')) AS done,
      (SELECT count(DISTINCT owner_id)::int FROM cases WHERE status NOT IN ('resolved', 'closed')) AS open_owners,
      (SELECT count(DISTINCT team_id)::int FROM cases WHERE owner_id IS NULL AND status = 'new') AS queues,
      (SELECT count(*)::int FROM staff) AS staff, (SELECT count(*)::int FROM teams) AS teams,
      (SELECT count(*)::int FROM customers) AS customers,
      (SELECT count(*)::int FROM case_entries) AS entries,
      (SELECT count(DISTINCT case_id)::int FROM commitments WHERE kind = 'promise') AS promised,
      (SELECT count(*)::int FROM survey_responses WHERE nps IS NOT NULL AND ces IS NOT NULL) AS answers,
      (SELECT count(*)::int FROM cases WHERE status NOT IN ('resolved', 'closed') AND clock_paused_at IS NULL AND resolution_due_at < '2026-11-02T12:00:00Z') AS at_risk,
      (SELECT count(*)::int FROM handovers WHERE status = 'pending') AS offers,
      (SELECT count(*)::int FROM domain_events) AS events`);
    assert.equal(r!.cases, 20_000);
    assert.ok(r!.done / r!.cases >= 0.94 && r!.done / r!.cases <= 0.96, `closed share ${r!.done / r!.cases}`);
    assert.ok(r!.open_owners >= 300, `open cases over ${r!.open_owners} owners`);
    assert.ok(r!.queues >= 40, `unowned cases wait in ${r!.queues} team queues`);
    assert.deepEqual([r!.staff, r!.teams, r!.customers], [400, 60, 4_000]);
    assert.ok(r!.entries >= 3 * r!.cases, `entries ${r!.entries}`);
    assert.ok(Math.abs(r!.promised / r!.cases - 0.1) < 0.02, `promises on ${r!.promised}`);
    assert.ok(r!.answers > r!.cases / 6, `answers ${r!.answers}`);
    assert.ok(r!.at_risk > 0 && r!.offers > 0 && r!.events >= 2 * r!.done);
    assert.equal(org.open, r!.cases - r!.done);
  });

  it('the features have already seen the history: no subscriber has events left to handle', async () => {
    const [r] = await k.sql<{ behind: number }>(`SELECT count(*)::int AS behind FROM domain_events d
      WHERE EXISTS (SELECT 1 FROM event_cursors c WHERE (d.tx_id, d.id) > (c.last_tx_id, c.last_id))`);
    assert.equal(r!.behind, 0);
  });
});
