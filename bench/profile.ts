/**
 * Where a request's time goes: `node --import tsx bench/profile.ts [create|reply|note|read|list|ceiling]`
 * (`BENCH_SECONDS`, default 5) runs one of the bench's operations against Kept with 16
 * connections from a load generator in its own process, and prints:
 * - the CPU time per request of the load generator, of Kept's process and of PostgreSQL's
 *   processes (from /proc): on a 2-core machine these add up to what bounds the throughput;
 * - with `PROFILE_ENGINE=server` (a throwaway server cluster with pg_stat_statements), the
 *   statements PostgreSQL ran per request, with their execution and planning times;
 * - unless `PROFILE=0`, Kept's process profiled by V8 (sampled every 200 µs of wall time, so a
 *   thread waiting for a core counts where it waits, mostly socket writes that woke PostgreSQL),
 *   grouped by where the code comes from and by function. `PROFILE_OUT=file.cpuprofile` keeps it
 *   for Chrome's DevTools.
 * `ceiling` is bench/run.ts's durable-write ceiling (a bare route committing one row), for comparison.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Session } from 'node:inspector/promises';
import Fastify from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { createKept } from '../src/app';
import { systemClock } from '../src/core/clock';
import { createStaff, createApiToken } from '../src/staff';
import { createCustomer } from '../src/customers';
import { createStandard } from '../src/standards';
import { startEmbeddedCluster, startServerCluster } from '../test/helpers/clusters';
import { freshDatabase } from './fresh-database';
import { postgresCpuSeconds } from './cpu';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const OP = process.argv[2] ?? 'create';
const WORK = path.join(os.tmpdir(), `kept-profile-${process.pid}`);

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

function load(spec: Record<string, unknown>): Promise<{ cpuMs: number; requests: number; rps: number; p50: number; p99: number; errors: number }> {
  return new Promise((resolve, reject) => {
    const worker = fork(fileURLToPath(new URL('./load-worker.mjs', import.meta.url)), [JSON.stringify({ connections: 16, seconds: SECONDS, ...spec })]);
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

/** The package (or Kept folder) a profiled function's script belongs to. */
function origin(url: string, name: string): string {
  if (name === '(idle)' || name === '(program)' || name === '(garbage collector)') return name;
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const src = url.indexOf('/src/');
  if (src >= 0) return `kept ${url.slice(src + 5).split('/')[0]}`;
  if (url.startsWith('node:') || url === '') return `node ${name.startsWith('(') ? name : 'internals'}`;
  return url;
}

function summarise(profile: Profile, seconds: number) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const byOrigin = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const [id, ms] of selfMs) {
    const { callFrame: f } = byId.get(id)!;
    total += ms;
    const o = origin(f.url, f.functionName);
    byOrigin.set(o, (byOrigin.get(o) ?? 0) + ms);
    const fn = `${f.functionName || '(anonymous)'} ${o.startsWith('kept') || o.startsWith('node') ? `${path.basename(f.url)}:${f.lineNumber + 1}` : o}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
  }
  const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
  console.log(`\nKept's process, ${(total / 1000).toFixed(1)} s of samples over ${seconds.toFixed(1)} s of load:\n`);
  console.log('| where | share of samples |\n|---|---:|');
  for (const [o, ms] of top(byOrigin, 25)) console.log(`| ${o} | ${((ms / total) * 100).toFixed(1)} % |`);
  console.log('\n| heaviest functions (self time) | share |\n|---|---:|');
  for (const [fn, ms] of top(byFunction, 40)) console.log(`| ${fn} | ${((ms / total) * 100).toFixed(1)} % |`);
}

async function main() {
  fs.mkdirSync(WORK, { recursive: true });
  // PROFILE_ENGINE=server: a PostgreSQL server cluster with pg_stat_statements, which adds the
  // statements' own times per request to the report.
  const server = process.env.PROFILE_ENGINE === 'server'
    ? await startServerCluster(WORK, '-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all -c pg_stat_statements.track_planning=on')
    : null;
  if (server && 'skipped' in server) throw new Error(server.skipped);
  const cluster = server ?? await startEmbeddedCluster(WORK);
  try {
    const url = await freshDatabase(cluster, 'kept_profile');
    // PROFILE_SUBSCRIBERS=0: no subscriber runs, to see what they cost the operation.
    const kept = await createKept({ databaseUrl: url, clock: systemClock, logLevel: 'silent', poolSize: 20, subscribers: process.env.PROFILE_SUBSCRIBERS !== '0' });
    const base = await kept.http.listen({ port: 0, host: '127.0.0.1' });
    const sys = kept.ctx;
    const agent = await createStaff(sys, { name: 'Bench Agent', email: 'bench@example.test', role: 'agent' });
    const me = { ...sys, actor: { id: agent.id, name: agent.name, role: agent.role, teamId: null, departmentId: null } };
    const { token } = await createApiToken(me, 'bench');
    await createStandard(sys, { firstResponseMinutes: 240, resolutionMinutes: 960 });
    const customer = await createCustomer(me, { name: 'Bench Customer', emails: ['customer@bench.example'] });
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const api = `${base}/api/v1`;
    // PROFILE_CUSTOMERS=n: cases for n customers (one each, picked at random) instead of all for one.
    const customers = Number(process.env.PROFILE_CUSTOMERS ?? 1);
    const customerIds = [customer.id];
    for (let i = 1; i < customers; i++) customerIds.push((await createCustomer(me, { name: 'Bench Customer', emails: [`customer${i}@bench.example`] })).id);
    const createSpec = {
      url: `${api}/cases`, method: 'POST', headers, bodyIds: customerIds,
      bodyTemplate: JSON.stringify({ subject: 'Benchmark case', channel: 'email', customerId: '{id}', message: 'Hello, my parcel is late.' }),
    };
    // Cases to act on, made beforehand and outside the profile.
    if (OP !== 'create') await load({ ...createSpec, seconds: 3 });
    // As autovacuum would have by now on a server that has been running: plans from statistics.
    if (process.env.PROFILE_ANALYZE !== '0') await sql`ANALYZE`.execute(kept.db);
    const ids = (await kept.db.selectFrom('cases').select('id').orderBy('id').limit(5000).execute()).map((r) => r.id);
    const specs: Record<string, Record<string, unknown> | undefined> = {
      create: createSpec,
      reply: { url: api, method: 'POST', headers, pathTemplate: '/api/v1/cases/{id}/replies', ids, body: JSON.stringify({ body: 'Dear Bench Customer,\n\nhere is an update.' }) },
      note: { url: api, method: 'POST', headers, pathTemplate: '/api/v1/cases/{id}/notes', ids, body: JSON.stringify({ body: 'Called the courier: the parcel leaves the depot today.' }) },
      read: { url: api, headers, pathTemplate: '/api/v1/cases/{id}', ids },
      list: { url: `${api}/cases?status=open&limit=50`, headers },
    };
    // The durable-write ceiling of bench/run.ts, in this process: a bare route committing one row.
    const pool = new pg.Pool({ connectionString: url, max: 20 });
    await pool.query('CREATE TABLE IF NOT EXISTS bench_ceiling (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), body text NOT NULL)');
    const bare = Fastify();
    bare.post('/write', async (req) => (await pool.query('INSERT INTO bench_ceiling (body) VALUES ($1) RETURNING id', [JSON.stringify(req.body)])).rows[0]);
    const bareBase = await bare.listen({ port: 0, host: '127.0.0.1' });
    specs.ceiling = { url: `${bareBase}/write`, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ subject: 'Benchmark case', message: 'Hello, my parcel is late.' }) };
    const spec = specs[OP];
    if (!spec) throw new Error(`unknown operation ${OP}: one of ${Object.keys(specs).join(', ')}`);
    // A server that has been up for a while has its hot code compiled: PROFILE_WARMUP seconds of
    // the same operation first (default 3), not measured.
    const warmup = Number(process.env.PROFILE_WARMUP ?? 3);
    if (warmup > 0) await load({ ...spec, seconds: warmup });
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    const statements = server ? new pg.Client({ connectionString: url }) : null;
    if (statements) {
      await statements.connect();
      await statements.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      await statements.query('SELECT pg_stat_statements_reset()');
    }
    const cpu0 = process.cpuUsage();
    const pg0 = postgresCpuSeconds();
    const t0 = performance.now();
    if (process.env.PROFILE !== '0') await session.post('Profiler.start');
    const r = await load(spec);
    const { profile } = process.env.PROFILE !== '0' ? await session.post('Profiler.stop') as unknown as { profile: Profile } : { profile: null };
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const pgCpu = postgresCpuSeconds() - pg0;
    console.log(`# ${OP}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.errors} errors — ${os.cpus().length} × ${os.cpus()[0]?.model}`);
    console.log(`CPU over ${wall.toFixed(1)} s: Kept (Node) ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s (${(cpu.user / 1e6).toFixed(1)} user, ${(cpu.system / 1e6).toFixed(1)} system), PostgreSQL ${pgCpu.toFixed(1)} s; per request: load generator ${(r.cpuMs / r.requests).toFixed(2)} ms, Node ${(((cpu.user + cpu.system) / 1e3) / r.requests).toFixed(2)} ms, PostgreSQL ${((pgCpu * 1e3) / r.requests).toFixed(2)} ms`);
    if (process.env.PROFILE_MEMORY) {
      const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MB`;
      const before = process.memoryUsage();
      (globalThis as { gc?: () => void }).gc?.();
      const after = process.memoryUsage();
      console.log(`memory after the load: RSS ${mb(before.rss)}, heap used ${mb(before.heapUsed)}; after a full GC: RSS ${mb(after.rss)}, heap used ${mb(after.heapUsed)}`);
      const second = await load(spec);
      const again = process.memoryUsage();
      (globalThis as { gc?: () => void }).gc?.();
      console.log(`a second load (${second.requests} requests): RSS ${mb(again.rss)}, heap used ${mb(again.heapUsed)}; after a full GC: heap used ${mb(process.memoryUsage().heapUsed)}`);
    }
    if (process.env.PROFILE_OUT) fs.writeFileSync(process.env.PROFILE_OUT, JSON.stringify(profile));
    if (profile) summarise(profile, wall);
    if (statements) {
      const { rows } = await statements.query(`SELECT calls, total_exec_time + total_plan_time AS ms, total_plan_time AS plan, rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 160) AS query
        FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY 2 DESC LIMIT 40`);
      console.log('\n| statement | calls/request | ms/request (plan) |\n|---|---:|---:|');
      for (const s of rows) console.log(`| ${s.query} | ${(s.calls / r.requests).toFixed(2)} | ${(s.ms / r.requests).toFixed(3)} (${(s.plan / r.requests).toFixed(3)}) |`);
      await statements.end();
    }
    await bare.close();
    await pool.end();
    session.disconnect();
    await kept.close();
  } finally {
    await cluster.stop();
    fs.rmSync(WORK, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
