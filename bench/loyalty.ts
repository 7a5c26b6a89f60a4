/**
 * Loyalty bench: survey import throughput for a generated 1,000,000-row CSV with 4 mapped score
 * columns (streamed through the HTTP API), and driver analysis over those 1,000,000 answers.
 * Run by bench/run.ts, or alone: node --import tsx bench/loyalty.ts (embedded PostgreSQL).
 *   BENCH_LOYALTY_ROWS=1000000
 */
import { freshDatabase } from './fresh-database';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { createKept } from '../src/app';
import { systemClock } from '../src/core/clock';
import { createStaff, createApiToken } from '../src/staff';
import { createSurvey } from '../src/surveys/service';
import { drivers } from '../src/loyalty/service';
import { seeded } from '../src/loyalty/stats';
import { startEmbeddedCluster, type Cluster } from '../test/helpers/clusters';

const ROWS = Number(process.env.BENCH_LOYALTY_ROWS ?? 1_000_000);

async function generate(file: string, rows: number) {
  const out = fs.createWriteStream(file);
  const random = seeded(7);
  const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, Math.round(v)));
  out.write('ref,csat,ease,stay,nps\n');
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    const mood = random() * 2 - 1;
    const csat = clamp(3 + 2 * mood + random() - 0.5, 1, 5);
    const ease = clamp(3 + 1.5 * mood + 2 * (random() - 0.5), 1, 5);
    const stay = clamp(7 + 3 * mood + 3 * (random() - 0.5), 0, 10);
    const nps = clamp(0.9 * ease + 0.4 * csat + 0.3 * stay + 2 * (random() - 0.5), 0, 10);
    chunk += `r${i},${csat},${ease},${stay},${nps}\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

export async function benchLoyalty(cluster: Cluster, work: string) {
  const url = await freshDatabase(cluster, 'kept_bench_loyalty');
  const kept = await createKept({ databaseUrl: url, clock: systemClock, logLevel: 'silent', poolSize: 20, autoTimers: false });
  const base = await kept.http.listen({ port: 0, host: '127.0.0.1' });
  try {
    const sys = kept.ctx;
    const boss = await createStaff(sys, { name: 'Bench Admin', email: 'bench-admin@example.test', role: 'admin' });
    const { token } = await createApiToken({ ...sys, actor: { id: boss.id, name: boss.name, role: boss.role, teamId: null, departmentId: null } }, 'bench');
    const survey = await createSurvey(sys, { name: 'Bench', trigger: 'relationship', active: false, questions: [{ kind: 'nps' }, { kind: 'csat' }, { kind: 'ease' }, { kind: 'stay' }] });
    const file = path.join(work, 'loyalty-bench.csv');
    await generate(file, ROWS);
    const size = fs.statSync(file).size;
    const started = performance.now();
    const res = await fetch(`${base}/api/v1/surveys/${survey.id}/import?column=csat:csat&column=ease:ease&column=stay:stay&column=nps:nps&refColumn=ref`, {
      method: 'POST', body: fs.createReadStream(file) as unknown as ReadableStream, duplex: 'half',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` },
    } as RequestInit);
    const report = await res.json() as { imported: number; rejectedRows: number };
    const seconds = (performance.now() - started) / 1000;
    fs.rmSync(file);
    console.log(`\n${cluster.name}: survey import, ${ROWS.toLocaleString('en')} rows × 4 mapped columns (${(size / 2 ** 20).toFixed(0)} MB, streamed over HTTP): `
      + `${report.imported.toLocaleString('en')} imported, ${report.rejectedRows} rejected in ${seconds.toFixed(1)} s = ${Math.round(report.imported / seconds).toLocaleString('en')} rows/s`);
    for (const resamples of [0, 200]) {
      const t = performance.now();
      const d = await drivers(sys, { surveyId: survey.id, outcome: 'nps', resamples });
      console.log(`${cluster.name}: drivers over ${d.n.toLocaleString('en')} answers, ${resamples} bootstrap resamples: ${((performance.now() - t) / 1000).toFixed(2)} s (R² ${d.r2?.toFixed(3)})`);
    }
  } finally {
    await kept.close();
  }
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const work = path.join(os.tmpdir(), `kept-loyalty-bench-${process.pid}`);
  fs.mkdirSync(work, { recursive: true });
  const cluster = await startEmbeddedCluster(work);
  if ('skipped' in cluster) throw new Error(String(cluster.skipped));
  try {
    await benchLoyalty(cluster, work);
  } finally {
    await cluster.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
