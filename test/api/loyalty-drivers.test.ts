/**
 * What predicts loyalty: Johnson's relative weights checked against numpy on the same answers,
 * group comparisons corrected for many groups, and answers set beside what customers did next.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startKept, type TestKept } from '../helpers/app';
import { seeded } from '../../src/loyalty/stats';
import { driversOf } from '../../src/loyalty/service';

const REFERENCE = `
import json, sys
import numpy as np
d = np.loadtxt(sys.argv[1], delimiter=',', skiprows=1)
X, y = d[:, :-1], d[:, -1]
p = X.shape[1]
R = np.corrcoef(X, rowvar=False)
rxy = np.array([np.corrcoef(X[:, j], y)[0, 1] for j in range(p)])
w, V = np.linalg.eigh(R)
L = V @ np.diag(np.sqrt(w)) @ V.T
beta = np.linalg.solve(L, rxy)
raw = (L ** 2) @ (beta ** 2)
Z = (X - X.mean(0)) / X.std(0)
yz = (y - y.mean()) / y.std()
b, *_ = np.linalg.lstsq(Z, yz, rcond=None)
print(json.dumps({'raw': raw.tolist(), 'r2': float(raw.sum()), 'ols_r2': float(1 - ((yz - Z @ b) ** 2).sum() / (yz ** 2).sum())}))
`;

describe('what predicts loyalty', { timeout: 120_000 }, () => {
  let k: TestKept;
  let admin: Awaited<ReturnType<TestKept['signedIn']>>;
  let token: string;
  let surveyId: number;
  const rows: number[][] = [];

  before(async () => {
    k = await startKept({ now: '2026-06-01T09:00:00Z' });
    admin = await k.signedIn('admin');
    token = (await admin.post('/auth/tokens', { name: 'import' })).body.token;
    surveyId = (await admin.post('/surveys', {
      name: 'Drivers', trigger: 'relationship', active: false,
      questions: [{ kind: 'nps' }, { kind: 'csat' }, { kind: 'ease' }, { kind: 'scale', key: 'value', scale: { min: 1, max: 10 }, text: { en: 'How good value was it?' } }, { kind: 'stay' }],
    })).body.id;
    // 600 answers where ease matters most, then value, then satisfaction (correlated with each other).
    const random = seeded(42);
    const normal = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
    const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, Math.round(v)));
    const lines = ['ref,segment,csat,ease,value,stay,nps'];
    for (let i = 0; i < 600; i++) {
      const mood = normal();
      const ease = clamp(3 + 0.8 * mood + 0.9 * normal(), 1, 5);
      const csat = clamp(3 + 0.6 * mood + 0.9 * normal(), 1, 5);
      const value = clamp(6 + 1.2 * mood + 1.8 * normal(), 1, 10);
      const stay = clamp(7 + 1.0 * mood + 1.5 * normal(), 0, 10);
      const segment = i % 3 === 0 ? 'Gold' : i % 3 === 1 ? 'Silver' : 'Bronze';
      const nps = clamp(1.2 * ease + 0.3 * csat + 0.35 * value + 0.1 * stay + (segment === 'Gold' ? 1.5 : 0) + 0.9 * normal() - 1, 0, 10);
      rows.push([csat, ease, value, stay, nps]);
      lines.push([i + 1, segment, csat, ease, value, stay, nps].join(','));
    }
    const res = await fetch(`${k.baseUrl}/api/v1/surveys/${surveyId}/import?column=csat:csat&column=ease:ease&column=value:value&column=stay:stay&column=nps:nps&refColumn=ref&segmentColumn=segment`, {
      method: 'POST', body: lines.join('\n'), headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` },
    });
    assert.equal((await res.json() as { imported: number }).imported, 600);
  });
  after(() => k?.close());

  it("relative weights and R² match numpy's to 1e-6 on the same answers, with bootstrap intervals and a sentence saying what matters most", async () => {
    const file = path.join(os.tmpdir(), `drivers-${process.pid}.csv`);
    fs.writeFileSync(file, ['csat,ease,value,stay,nps', ...rows.map((r) => r.join(','))].join('\n'));
    const ref = JSON.parse(execFileSync('python3', ['-c', REFERENCE, file], { encoding: 'utf8' })) as { raw: number[]; r2: number; ols_r2: number };
    fs.rmSync(file);
    const res = await admin.get(`/survey-figures/drivers?survey=${surveyId}&outcome=nps`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const d = res.body as { n: number; r2: number; headline: string; drivers: { question: string; rawWeight: number; share: number; ci95: [number, number] }[] };
    assert.equal(d.n, 600);
    console.log('numpy:', JSON.stringify(ref));
    console.log('kept: ', JSON.stringify({ r2: d.r2, drivers: d.drivers }));
    console.log(d.headline);
    assert.ok(Math.abs(d.r2 - ref.r2) < 1e-6, `R² ${d.r2} vs ${ref.r2}`);
    assert.ok(Math.abs(ref.r2 - ref.ols_r2) < 1e-9, 'relative weights add up to the regression R²');
    ['csat', 'ease', 'value', 'stay'].forEach((q, j) => {
      const got = d.drivers.find((x) => x.question === q)!;
      assert.ok(Math.abs(got.rawWeight - ref.raw[j]!) < 1e-6, `${q}: ${got.rawWeight} vs ${ref.raw[j]}`);
      assert.ok(got.ci95[0] <= got.rawWeight && got.rawWeight <= got.ci95[1], `${q}: the interval holds its estimate`);
    });
    assert.equal(d.drivers[0]!.question, 'ease');
    assert.match(d.headline, /^Ease matters most for likelihood to recommend/);
    assert.ok(Math.abs(d.drivers.reduce((s, x) => s + x.share, 0) - 1) < 1e-9);
    const again = (await admin.get(`/survey-figures/drivers?survey=${surveyId}&outcome=nps`)).body;
    assert.deepEqual(again.drivers, d.drivers, 'the bootstrap is seeded: the same answer twice');
    const stay = await admin.get(`/survey-figures/drivers?survey=${surveyId}&outcome=stay`);
    assert.equal(stay.status, 200);
    assert.ok(stay.body.drivers.some((x: { question: string }) => x.question === 'nps'));
    assert.equal((await admin.get(`/survey-figures/drivers?survey=${surveyId}&outcome=loyalty`)).status, 422);
  });

  it('expectation answers count as −1/0/1 and an answer that is not a number leaves its row out, exactly as over the raw rows', async () => {
    const id = (await admin.post('/surveys', {
      name: 'Expectations', trigger: 'relationship', active: false,
      questions: [{ kind: 'nps' }, { kind: 'expectation' }, { kind: 'scale', key: 'value', scale: { min: 1, max: 10 }, text: { en: 'How good value was it?' } }],
    })).body.id as number;
    // 400 answers; every 25th has "n/a" for value, every 40th no expectation at all.
    await k.sql(`INSERT INTO survey_responses (survey_id, answers, nps, started_at, updated_at)
      SELECT $1, jsonb_strip_nulls(jsonb_build_object(
               'expectation', CASE WHEN g % 40 = 0 THEN NULL ELSE (ARRAY['below', 'met', 'above'])[1 + (g * 7) % 3] END,
               'value', CASE WHEN g % 25 = 0 THEN to_jsonb('n/a'::text) ELSE to_jsonb(1 + (g * 13) % 10) END)),
             least(10, ((g * 7) % 3) * 3 + (g * 13) % 10 / 3 + g % 2), now(), now()
      FROM generate_series(1, 400) g`, [id]);
    const rows: Float64Array[] = [];
    for (let g = 1; g <= 400; g++) {
      if (g % 40 === 0 || g % 25 === 0) continue;
      rows.push(Float64Array.from([((g * 7) % 3) - 1, 1 + (g * 13) % 10, Math.min(10, ((g * 7) % 3) * 3 + Math.floor(((g * 13) % 10) / 3) + g % 2)]));
    }
    const expected = driversOf(rows, ['expectation', 'value'], { outcome: 'nps', resamples: 0, seed: 1 });
    const got = (await admin.get(`/survey-figures/drivers?survey=${id}&outcome=nps&resamples=0`)).body as typeof expected;
    assert.equal(got.n, rows.length, 'the rows with a missing or non-numeric answer are left out');
    assert.ok(Math.abs(got.r2! - expected.r2!) < 1e-9, `R² ${got.r2} vs ${expected.r2}`);
    for (const d of expected.drivers) {
      assert.ok(Math.abs(got.drivers.find((x) => x.question === d.question)!.rawWeight - d.rawWeight) < 1e-9, d.question);
    }
  });

  it('groups are compared with each other beyond chance only after correcting for the number of groups (Holm)', async () => {
    const res = await admin.get(`/survey-figures/compare?by=segment&survey=${surveyId}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const groups = res.body.groups as { group: string; nps: number; p: number; pAdjusted: number; different: boolean }[];
    assert.deepEqual(groups.map((g) => g.group), ['Bronze', 'Gold', 'Silver']);
    for (const g of groups) assert.ok(g.pAdjusted >= g.p);
    assert.ok(groups.find((g) => g.group === 'Gold')!.different, JSON.stringify(groups));
    console.log('segments:', groups.map((g) => `${g.group} NPS ${g.nps.toFixed(1)} p=${g.p.toFixed(4)} Holm=${g.pAdjusted.toFixed(4)}`).join('; '));
  });

  it('what customers did afterwards: activity through the API, retention and repeat rate beside NPS, answers correlated with later visits and spend, and the profile shows the last score and trend', async () => {
    const agent = await k.signedIn('agent');
    const ids: number[] = [];
    for (let i = 0; i < 8; i++) ids.push((await agent.post('/customers', { name: `Kunde ${i}`, emails: [`k${i}@example.test`] })).body.id);
    const s = (await admin.post('/surveys', { name: 'Linked', trigger: 'relationship', active: false, questions: [{ kind: 'nps' }, { kind: 'stay' }] })).body.id;
    const csv = ['email,date,nps,stay', ...ids.map((_, i) => `k${i}@example.test,2026-01-${String(10 + i).padStart(2, '0')},${i + 2},${i + 3}`), 'k7@example.test,2026-03-01,9,10'].join('\n');
    const report = await (await fetch(`${k.baseUrl}/api/v1/surveys/${s}/import?column=nps:nps&column=stay:stay&customerColumn=email&dateColumn=date&dateFormat=YYYY-MM-DD`, {
      method: 'POST', body: csv, headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` },
    })).json() as { imported: number; customersMatched: number };
    assert.deepEqual([report.imported, report.customersMatched], [9, 9]);
    // Happier customers come back more often and spend more.
    for (const [i, id] of ids.entries()) {
      for (let v = 0; v < i; v++) {
        const r = await agent.post('/customer-activities', { customerId: id, kind: 'purchase', amount: 20 + 5 * i, occurredAt: `2026-0${2 + (v % 3)}-0${1 + (v % 8)}T12:00:00Z`, ref: `order-${id}-${v}` });
        assert.equal(r.status, 201, JSON.stringify(r.body));
      }
    }
    // Cancellations come from the membership system's export: a CSV in French conventions.
    const cancellations = `client;date;montant;ref\r\nk0@example.test;15/02/2026;NA;c-1\r\nnobody@example.test;16/02/2026;;c-2\r\nk0@example.test;30/02/2026;;c-3\r\n`;
    const importCancellations = () => fetch(`${k.baseUrl}/api/v1/customer-activities/import?customerColumn=client&kind=cancellation&dateColumn=date&dateFormat=DD%2FMM%2FYYYY&amountColumn=montant&refColumn=ref`, {
      method: 'POST', body: cancellations, headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` },
    }).then((r) => r.json() as Promise<{ imported: number; unchanged: number; rejected: { line: number; rule: string }[] }>);
    const first = await importCancellations();
    assert.deepEqual([first.imported, first.rejected.map((r) => [r.line, r.rule])], [1, [[4, 'date'], [3, 'customer']]]);
    assert.deepEqual([(await importCancellations()).imported, (await importCancellations()).unchanged], [0, 1], 'the same file twice changes nothing');
    const dup = await agent.post('/customer-activities', { customerId: ids[7], kind: 'purchase', amount: 55, occurredAt: '2026-02-01T12:00:00Z', ref: `order-${ids[7]}-0` });
    assert.equal(dup.body.duplicate, true, 'the same ref is recorded once');
    const behaviour = (await admin.get(`/survey-figures/behaviour?survey=${s}&days=90`)).body;
    const nps = behaviour.questions.find((q: { question: string }) => q.question === 'nps');
    console.log('answers and behaviour:', JSON.stringify(nps));
    assert.ok(nps.laterVisits.r > 0.5 && nps.laterSpend.r > 0.5, JSON.stringify(nps));
    const figures = (await admin.get('/loyalty-figures?from=2026-01-01T00:00:00Z&to=2026-04-30T00:00:00Z')).body;
    const march = figures.periods.find((p: { period: string }) => p.period === '2026-03');
    console.log('loyalty figures:', JSON.stringify(figures.periods.map((p: { period: string; retention: number | null; repeatRate: number | null; nps: { nps: number | null } }) => [p.period, p.retention, p.repeatRate, p.nps.nps])));
    assert.ok(march.retention > 0 && march.retention <= 1);
    assert.ok(march.repeatRate > 0 && march.repeatRate <= 1);
    assert.equal(figures.periods.find((p: { period: string }) => p.period === '2026-01').nps.answers, 8);
    const profile = (await agent.get(`/customers/${ids[7]}/loyalty`)).body;
    assert.deepEqual([profile.last.score, profile.trend, profile.history.length], [9, 'flat', 2]);
    assert.equal((await agent.get(`/customers/${ids[0]}/loyalty`)).body.activity.cancelled, true);
  });
});
