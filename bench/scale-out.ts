/**
 * Scale out: BENCH_INSTANCES (2) Kept processes against one PostgreSQL server, behind a
 * round-robin proxy this bench starts itself. Case creation is driven through the proxy with one
 * instance, then with all of them; then the effects that timers and subscribers make are counted:
 * each case.opened reaches the webhook exactly once, each case has one set of promises from its
 * standard, and each hand-over left to expire expires exactly once, whichever instance ran it.
 */
import { freshDatabase } from './fresh-database';
import { startInstance, stopInstance } from './instance';
import http from 'node:http';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createKept } from '../src/app';
import { systemClock } from '../src/core/clock';
import { createApiToken, createStaff } from '../src/staff';
import { startServerCluster, type Cluster } from '../test/helpers/clusters';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 2);
const CONNECTIONS = 16;
const HANDOVERS = 40;

/** Round robin over the instances that are up; a few lines of node:http, as a load balancer would. */
function startProxy() {
  const targets: URL[] = [];
  let next = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const server = http.createServer((req, res) => {
    const target = targets[next++ % targets.length]!;
    const upstream = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers, agent }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => { res.writeHead(502); res.end(); });
    req.pipe(upstream);
  });
  return new Promise<{ url: string; targets: URL[]; close(): Promise<void> }>((resolve) => server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    resolve({ url: `http://127.0.0.1:${port}`, targets, close: () => new Promise<void>((r) => { agent.destroy(); server.close(() => r()); }) });
  }));
}

/** Seconds of the same load first, not measured: each instance's hot code compiled, as on servers that have been up. */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);

async function load(url: string, headers: Record<string, string>, body: string): Promise<{ rps: number; p50: number; p99: number; errors: number }> {
  if (WARMUP > 0) await run(url, headers, body, WARMUP);
  return run(url, headers, body, SECONDS);
}

function run(url: string, headers: Record<string, string>, body: string, seconds: number): Promise<{ rps: number; p50: number; p99: number; errors: number }> {
  return new Promise((resolve, reject) => {
    const spec = { url, method: 'POST', headers, body, connections: CONNECTIONS, seconds };
    const worker = fork(fileURLToPath(new URL('./load-worker.mjs', import.meta.url)), [JSON.stringify(spec)]);
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

async function call(base: string, token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, unknown>>;
}

export async function benchScaleOut(cluster: Cluster) {
  const url = await freshDatabase(cluster, 'kept_bench_scale_out');
  const db = new pg.Client({ connectionString: url });
  await db.connect();

  // Who acts: an admin (sets up), an agent (creates cases) and a colleague (offered hand-overs).
  const setup = await createKept({ databaseUrl: url, clock: systemClock, logLevel: 'silent', autoTimers: false });
  const actor = async (role: 'admin' | 'agent', email: string) => {
    const s = await createStaff(setup.ctx, { name: `Scale ${role}`, email, role });
    return { id: s.id, token: (await createApiToken({ ...setup.ctx, actor: { id: s.id, name: s.name, role: s.role, teamId: null, departmentId: null } }, 'scale')).token };
  };
  const boss = await actor('admin', 'scale.admin@example.test');
  const agent = await actor('agent', 'scale.agent@example.test');
  const colleague = await actor('agent', 'scale.colleague@example.test');
  await setup.close();

  // The webhook receiver counts deliveries per event: a second delivery of one event is a duplicate.
  const deliveries = new Map<number, number>();
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const id = Number((JSON.parse(body) as { data: { eventId: number } }).data.eventId);
      deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
      res.end('{}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;

  const instances = [await startInstance(url, { timerIntervalMs: 200 })];
  const proxy = await startProxy();
  proxy.targets.push(new URL(instances[0]!.base));
  await call(proxy.url, boss.token, 'POST', '/standards', { firstResponseMinutes: 240, resolutionMinutes: 960 });
  await call(proxy.url, boss.token, 'POST', '/webhooks', { url: hookUrl, events: ['case.opened'] });
  const customer = await call(proxy.url, agent.token, 'POST', '/customers', { name: 'Scale Customer', emails: ['scale@customer.example'] });
  const headers = { authorization: `Bearer ${agent.token}`, 'content-type': 'application/json' };
  const body = JSON.stringify({ subject: 'Scale-out case', channel: 'email', customerId: customer.id, message: 'Hello, my parcel is late.' });

  const one = await load(`${proxy.url}/api/v1/cases`, headers, body);
  for (let i = 1; i < INSTANCES; i++) {
    const started = await startInstance(url, { timerIntervalMs: 200 });
    instances.push(started);
    proxy.targets.push(new URL(started.base));
  }
  // Hand-overs offered now and due during the load: every instance's timer loop sees them due.
  const offered: number[] = [];
  for (let i = 0; i < HANDOVERS; i++) {
    const c = await call(proxy.url, agent.token, 'POST', '/cases', { subject: `Hand-over ${i}`, channel: 'phone', customerId: customer.id, ownerId: agent.id });
    const h = await call(proxy.url, agent.token, 'POST', `/cases/${c.id}/handovers`, { toStaffId: colleague.id, note: 'Please take this one' });
    offered.push(Number(h.id));
  }
  await db.query(`UPDATE handovers SET expires_at = now() + interval '2 seconds' WHERE id = ANY($1)`, [offered]);
  const all = await load(`${proxy.url}/api/v1/cases`, headers, body);

  // Let the subscribers and timers of every instance finish what the load started.
  const openedCount = async () => Number((await db.query(`SELECT count(*)::int AS n FROM domain_events WHERE type = 'case.opened'`)).rows[0].n);
  for (let i = 0; i < 600 && deliveries.size < await openedCount(); i++) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 1000)); // a late duplicate would show up here
  const opened = await openedCount();
  const duplicates = [...deliveries.values()].filter((n) => n > 1).length;
  const expired = (await db.query(`SELECT payload->'handover'->>'id' AS id, count(*)::int AS n FROM domain_events WHERE type = 'handover.expired' GROUP BY 1`)).rows as { id: string; n: number }[];
  const promises = (await db.query(`SELECT count(*)::int AS n FROM (SELECT case_id, kind FROM commitments GROUP BY 1, 2 HAVING count(*) > 1) d`)).rows[0].n as number;
  const casesWithout = (await db.query(`SELECT count(*)::int AS n FROM cases c WHERE NOT EXISTS (SELECT 1 FROM commitments m WHERE m.case_id = c.id)`)).rows[0].n as number;

  for (const i of instances) await stopInstance(i);
  await proxy.close();
  await new Promise<void>((r) => receiver.close(() => r()));
  await db.end();

  console.log(`\n### Scale out — ${INSTANCES} Kept processes on one ${cluster.name} PostgreSQL, round-robin proxy, ${CONNECTIONS} connections, ${SECONDS} s each\n`);
  console.log('| scale out | value | target |');
  console.log('|---|---:|---|');
  console.log(`| create case through the proxy, 1 instance | ${one.rps.toFixed(0)} req/s (p99 ${one.p99} ms, ${one.errors} errors) | |`);
  console.log(`| create case through the proxy, ${INSTANCES} instances | ${all.rps.toFixed(0)} req/s (p99 ${all.p99} ms, ${all.errors} errors): ${(all.rps / one.rps).toFixed(2)}× | more than 1× (2 cores shared by instances, proxy, load and PostgreSQL) |`);
  console.log(`| case.opened events delivered to the webhook | ${deliveries.size} of ${opened}, ${duplicates} delivered twice | each exactly once |`);
  console.log(`| hand-overs left to expire | ${expired.length} of ${HANDOVERS} expired, ${expired.filter((e) => e.n > 1).length} twice | each exactly once |`);
  console.log(`| promises from the standard | ${promises} cases with a promise twice, ${casesWithout} without | none, none |`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const work = path.join(os.tmpdir(), `kept-bench-scale-${process.pid}`);
  fs.mkdirSync(work, { recursive: true });
  const cluster = await startServerCluster(work);
  if ('skipped' in cluster) console.log(`scale out: skipped — ${cluster.skipped}`);
  else {
    try {
      await benchScaleOut(cluster);
    } finally {
      await cluster.stop();
    }
  }
  fs.rmSync(work, { recursive: true, force: true });
}
