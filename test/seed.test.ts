import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LIVE_DAYS, seedCommand, seedDemo } from '../src/cli/seed';
import { createTestDatabase, dropTestDatabase, startKept, type TestKept } from './helpers/app';
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

  it('reads like a help desk that mostly keeps its word: standards met, a few misses, recoveries only where something went wrong', async () => {
    const [r] = await k.sql<Record<string, number>>(`SELECT
      (SELECT count(*)::int FROM cases) AS cases,
      (SELECT count(*)::int FROM commitments WHERE kind <> 'promise' AND status = 'kept') AS standards_met,
      (SELECT count(*)::int FROM commitments WHERE kind <> 'promise' AND status = 'broken') AS standards_missed,
      (SELECT count(*)::int FROM commitments WHERE kind = 'promise' AND case_id IS NOT NULL AND status = 'kept') AS promises_kept,
      (SELECT count(*)::int FROM commitments WHERE kind = 'promise' AND case_id IS NOT NULL AND status = 'broken') AS promises_broken,
      (SELECT count(*)::int FROM recoveries) AS recoveries,
      (SELECT count(*)::int FROM recoveries r WHERE NOT (
         (r.source IN ('broken_commitment', 'missed_standard') AND EXISTS (SELECT 1 FROM commitments m WHERE 'commitment:' || m.id = r.source_ref AND m.status = 'broken'))
         OR (r.source = 'complaint' AND EXISTS (SELECT 1 FROM cases c WHERE 'case:' || c.id = r.source_ref AND c.type = 'complaint'))
         OR (r.source = 'detractor' AND EXISTS (SELECT 1 FROM survey_responses s WHERE 'response:' || s.id = r.source_ref AND (s.nps <= 6 OR s.expectation = 'below' OR s.complaint))))) AS recoveries_without_cause`);
    const metShare = r!.standards_met! / (r!.standards_met! + r!.standards_missed!);
    assert.ok(metShare >= 0.9 && metShare < 1, `standards met: ${(metShare * 100).toFixed(1)} %`);
    const keptShare = r!.promises_kept! / (r!.promises_kept! + r!.promises_broken!);
    assert.ok(keptShare >= 0.85 && keptShare < 1, `promises kept: ${(keptShare * 100).toFixed(1)} %`);
    assert.ok(r!.recoveries! < r!.cases! * 0.4, `${r!.recoveries} recoveries for ${r!.cases} cases`);
    assert.equal(r!.recoveries_without_cause, 0);
  });

  it('the history and the played days are one year: the last days carry the live work, the features have read everything', async () => {
    const [r] = await k.sql<Record<string, number>>(`SELECT
      (SELECT count(*)::int FROM cases WHERE opened_at >= '2026-11-02T10:00:00Z'::timestamptz - interval '${LIVE_DAYS} days') AS played,
      (SELECT count(*)::int FROM cases WHERE status NOT IN ('resolved', 'closed')) AS open,
      (SELECT count(*)::int FROM cases WHERE status NOT IN ('resolved', 'closed') AND opened_at < '2026-11-02T10:00:00Z'::timestamptz - interval '${LIVE_DAYS + 1} days' AND type <> 'recovery') AS open_history,
      (SELECT count(*)::int FROM case_entries WHERE kind = 'inbound_message') AS inbound,
      (SELECT count(*)::int FROM listening_texts WHERE source = 'message') AS read,
      (SELECT count(DISTINCT language)::int FROM listening_texts) AS languages,
      (SELECT count(*)::int FROM case_entries WHERE kind = 'survey_sent') AS survey_entries,
      (SELECT count(*)::int FROM survey_invitations WHERE case_id IS NOT NULL) AS invitations,
      (SELECT count(*)::int FROM survey_responses WHERE recovery_case_id IS NULL AND (nps <= 6 OR expectation = 'below' OR complaint)) AS unhappy_without_loop,
      (SELECT count(*)::int FROM event_cursors WHERE subscriber = 'webhooks.fan-out' AND last_id = (SELECT max(id) FROM domain_events)) AS fan_out_done,
      (SELECT count(*)::int FROM event_cursors WHERE last_error IS NOT NULL OR retry_at IS NOT NULL) AS subscribers_failing,
      (SELECT count(*)::int FROM webhook_deliveries) AS webhook_deliveries`);
    assert.ok(r!.played! > 0 && r!.open! > 0, JSON.stringify(r));
    assert.equal(r!.open_history, 0, 'the history is settled: open work comes from the played days');
    // What the subscribers keep for the history is there as if they had read it.
    assert.equal(r!.read, r!.inbound, 'every inbound message read by listening');
    assert.ok(r!.languages! >= 3, `listening languages: ${r!.languages}`);
    assert.equal(r!.survey_entries, r!.invitations);
    assert.equal(r!.unhappy_without_loop, 0, 'every unhappy answer opened its recovery case');
    // The webhooks' fan-out (every event type) has passed every event, the history's without sending them.
    assert.equal(r!.fan_out_done, 1);
    assert.equal(r!.subscribers_failing, 0);
    assert.equal(r!.webhook_deliveries, 0);
  });

  it('the daily figures behind the map, scorecards, stars and review equal the raw rows of the year, history and played days alike', async () => {
    const today = '2026-11-02';
    for (const [table, fn, key] of [['touchpoint_days', 'touchpoint_figures', 'touchpoint'], ['department_days', 'department_figures', 'department_id'],
      ['staff_days', 'staff_figures', 'staff_id'], ['survey_days', 'survey_figures', 'day']] as const) {
      const kept = await k.sql(`SELECT * FROM ${table} WHERE day < $1 ORDER BY day, ${key}`, [today]);
      const fresh = await k.sql(`SELECT * FROM ${fn}('-infinity', $1::date) ORDER BY day, ${key}`, [today]);
      assert.ok(kept.length > 100, `${table}: ${kept.length} rows`);
      assert.deepEqual(kept, fresh, `${table} equals a fresh recompute`);
    }
  });

  it('the history\'s promises carry what the services write: who made them, when to warn, how often renegotiated', async () => {
    const [r] = await k.sql<{ promises: number; incomplete: number; renegotiated: number }>(`SELECT count(*)::int AS promises,
      count(*) FILTER (WHERE created_by_id IS NULL OR warn_at IS NULL OR renegotiation_count IS NULL)::int AS incomplete,
      count(*) FILTER (WHERE renegotiation_count > 0)::int AS renegotiated FROM commitments WHERE kind = 'promise' AND case_id IS NOT NULL`);
    assert.ok(r!.promises > 20, JSON.stringify(r));
    assert.equal(r!.incomplete, 0, 'no column of a promise lost on the bulk load');
    assert.ok(r!.renegotiated > 0, 'some promises were renegotiated with the customer');
  });

  it('every reference points at a row: the history is bulk-loaded without row-by-row key checks, so they are checked here', async () => {
    const keys = await k.sql<{ tbl: string; col: string; ref: string; refcol: string }>(`SELECT c.conrelid::regclass::text AS tbl, a.attname AS col,
        c.confrelid::regclass::text AS ref, af.attname AS refcol
      FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
      JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
      WHERE c.contype = 'f' AND array_length(c.conkey, 1) = 1 AND c.connamespace = 'public'::regnamespace`);
    assert.ok(keys.length > 20);
    const orphans: string[] = [];
    for (const f of keys) {
      const [r] = await k.sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${f.tbl} t WHERE t.${f.col} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${f.ref} r WHERE r.${f.refcol} = t.${f.col})`);
      if (r!.n) orphans.push(`${f.tbl}.${f.col} → ${f.ref}: ${r!.n}`);
    }
    assert.deepEqual(orphans, []);
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

describe('kept seed --demo on the command line', { timeout: 120_000 }, () => {
  it('marks the demo as being written, as "start --demo" does, and as loaded when done', async () => {
    const url = await createTestDatabase();
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = url;
    try {
      await seedCommand(['--demo', '--cases', '40', '--customers', '20']);
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const rows = (await client.query('SELECT phase, finished_at IS NOT NULL AS finished, done = total AS complete FROM demo_seeding')).rows;
      await client.end();
      assert.deepEqual(rows, [{ phase: 'done', finished: true, complete: true }]);
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL; else process.env.DATABASE_URL = saved;
      await dropTestDatabase(url);
    }
  });
});
