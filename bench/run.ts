/**
 * `npm run bench`: HTTP throughput and latency of the core operations with 16 concurrent
 */
import { freshDatabase } from './fresh-database';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { createKept } from '../src/app';
import { systemClock } from '../src/core/clock';
import { createStaff, createApiToken } from '../src/staff';
import { createCustomer } from '../src/customers';
import { createStandard } from '../src/standards';
import { createWebhook } from '../src/webhooks/service';
import { startEmbeddedCluster, startServerCluster, type Cluster } from '../test/helpers/clusters';
import { benchChat } from './chat';
import { portalTiming } from './portal';
import { benchLoyalty } from './loyalty';
import { benchLoyaltyMap } from './loyalty-map';
import { benchMail } from './mail';
import { benchScaleOut } from './scale-out';
import { benchDemo } from './demo';
import { benchScale } from './scale/measure';
import { postgresCpuSeconds } from './cpu';
import { instanceFigures, startInstance, stopInstance, type Instance } from './instance';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
/** Seconds of each operation run against a Kept instance before it is measured (its hot code compiled, as on a server that has been up). */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
/** The customers whose cases the creation run opens, one picked at random for each. */
const CUSTOMERS = 1000;
const CONNECTIONS = 16;
/** BENCH_PART=writes: only the ceilings and the core operations (while iterating on the write path); =events: and the events table. */
const PART = process.env.BENCH_PART;
const WORK = path.join(os.tmpdir(), `kept-bench-${process.pid}`);
const CHROMIUM = process.env.KEPT_CHROMIUM ?? '/usr/bin/chromium';

interface LoadSpec {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  pathTemplate?: string;
  ids?: number[];
  /** A body with '"{id}"' in it, replaced for each request by one of bodyIds. */
  bodyTemplate?: string;
  bodyIds?: number[];
  connections: number;
  seconds: number;
}

interface Row {
  op: string; rps: number; p50: number; p99: number; errors: number; requests: number;
  roundTrips?: number; statements?: number; rssMb?: number; kind?: 'write' | 'read';
  /** CPU milliseconds per request: the load generator's, the server process's, PostgreSQL's. */
  cpu?: { load: number; server: number; postgres: number };
}

/**
 * The ceilings' routes run in this process: every statement they send goes through
 * pg.Client#query here, so counting them around a load run gives their round trips per request.
 * Kept itself runs in a process of its own (bench/kept-instance.ts), which counts its own.
 */
let statementsSent = 0;
const sendQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function countedQuery(this: pg.Client, ...args: unknown[]) {
  statementsSent += 1; // the ceilings' routes send one statement per round trip
  return (sendQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pg.Client.prototype.query;

/**
 * Drives `url` with 16 connections for SECONDS from a load generator in its own process. The
 * server is `instance` (a Kept process: its statements, CPU and highest RSS come from it) or, for
 * the ceilings, a route in this process.
 */
async function load(url: string, opts: Omit<LoadSpec, 'url' | 'connections' | 'seconds'> = {}, instance?: Instance): Promise<Row> {
  const spec: LoadSpec = { url, connections: CONNECTIONS, seconds: SECONDS, ...opts };
  if (instance && WARMUP > 0) await runLoad({ ...spec, seconds: WARMUP });
  if (instance) await instanceFigures(instance); // start counting from here
  const statementsBefore = statementsSent;
  const cpuBefore = process.cpuUsage();
  const postgresBefore = postgresCpuSeconds();
  const r = await runLoad(spec);
  const postgres = postgresCpuSeconds() - postgresBefore;
  const own = process.cpuUsage(cpuBefore);
  const sent = statementsSent - statementsBefore;
  const server = instance ? await instanceFigures(instance) : { roundTrips: sent, statements: sent, cpuMs: (own.user + own.system) / 1000, maxRssMb: undefined };
  const per = Math.max(1, r.requests);
  return {
    op: '', ...r, roundTrips: server.roundTrips / per, statements: server.statements / per, rssMb: server.maxRssMb,
    cpu: { load: r.cpuMs / per, server: server.cpuMs / per, postgres: (postgres * 1000) / per },
  };
}

function runLoad(spec: LoadSpec): Promise<Omit<Row, 'op'> & { cpuMs: number }> {
  return new Promise((resolve, reject) => {
    const worker = fork(fileURLToPath(new URL('./load-worker.mjs', import.meta.url)), [JSON.stringify(spec)]);
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

async function bareCeiling(): Promise<Row> {
  const app = Fastify();
  app.get('/hello', async () => ({ hello: 'world' }));
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const r = await load(`${url}/hello`);
  await app.close();
  return { ...r, op: 'bare Fastify GET (ceiling)' };
}

const POOL_SIZE = 20;

/**
 * What this machine and engine can do at best, measured in the same run as Kept: a bare Fastify
 * route that commits one row through `pg` (one INSERT, autocommit, synchronous_commit on, the same
 * pool size and clients as Kept), and one doing one primary-key select. Kept's writes and reads
 * are reported as shares of these, not of a hello-world route.
 */
async function durableCeilings(url: string): Promise<{ write: Row; read: Row; notify: Row; notifyOneTrip: Row }> {
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE });
  await pool.query('CREATE TABLE IF NOT EXISTS bench_ceiling (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), body text NOT NULL)');
  const { rows: [setting] } = await pool.query<{ synchronous_commit: string }>('SHOW synchronous_commit');
  if (setting!.synchronous_commit !== 'on') throw new Error(`synchronous_commit is ${setting!.synchronous_commit}: the ceiling would not be durable`);
  await pool.query(`INSERT INTO bench_ceiling (body) SELECT 'row ' || g FROM generate_series(1, 5000) g`);
  const app = Fastify();
  app.post('/write', async (req) => {
    const { rows } = await pool.query<{ id: number }>('INSERT INTO bench_ceiling (body) VALUES ($1) RETURNING id', [JSON.stringify(req.body)]);
    return rows[0];
  });
  // Every Kept write NOTIFYs (live updates, subscribers): PostgreSQL commits NOTIFYing transactions one at a time.
  app.post('/write-notify', async (req) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ id: number }>('INSERT INTO bench_ceiling (body) VALUES ($1) RETURNING id', [JSON.stringify(req.body)]);
      await client.query(`SELECT pg_notify('bench_ceiling', 'x')`);
      await client.query('COMMIT');
      return rows[0];
    } finally {
      client.release();
    }
  });
  // The same transaction sent as one simple-protocol query (one round trip): what the NOTIFY itself costs, round trips aside.
  app.post('/write-notify-one-trip', async (req) => {
    const body = pg.escapeLiteral(JSON.stringify(req.body));
    const results = await pool.query(`BEGIN; INSERT INTO bench_ceiling (body) VALUES (${body}) RETURNING id; SELECT pg_notify('bench_ceiling', 'x'); COMMIT`) as unknown as pg.QueryResult<{ id: number }>[];
    return results[1]!.rows[0];
  });
  app.get<{ Params: { id: string } }>('/read/:id', async (req) => {
    const { rows } = await pool.query('SELECT id, at, body FROM bench_ceiling WHERE id = $1', [Number(req.params.id)]);
    return rows[0];
  });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const ids = Array.from({ length: 5000 }, (_, i) => i + 1);
  const write = await load(`${base}/write`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ subject: 'Benchmark case', message: 'Hello, my parcel is late.' }) });
  const read = await load(base, { pathTemplate: '/read/{id}', ids });
  const notify = await load(`${base}/write-notify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ subject: 'Benchmark case' }) });
  const notifyOneTrip = await load(`${base}/write-notify-one-trip`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ subject: 'Benchmark case' }) });
  await app.close();
  await pool.end();
  return {
    write: { ...write, op: 'bare route: commit one row (durable-write ceiling)' },
    read: { ...read, op: 'bare route: one indexed select (read ceiling)' },
    notify: { ...notify, op: '(context) bare route: one row + NOTIFY in one transaction (4 round trips)' },
    notifyOneTrip: { ...notifyOneTrip, op: '(context) the same transaction in one round trip (the NOTIFY\'s own cost)' },
  };
}

async function benchEngine(cluster: Cluster, ceiling: Row) {
  const url = await freshDatabase(cluster, 'kept_bench');
  // The bench's staff, token, standard and customer, made through the services; the load then
  // goes to a Kept instance in a process of its own, as `kept start` runs one.
  const setup = await createKept({ databaseUrl: url, clock: systemClock, logLevel: 'silent', poolSize: 4, autoTimers: false });
  const sys = setup.ctx;
  const agent = await createStaff(sys, { name: 'Bench Agent', email: 'bench@example.test', role: 'agent' });
  const me = { ...sys, actor: { id: agent.id, name: agent.name, role: agent.role, teamId: null, departmentId: null } };
  const { token } = await createApiToken(me, 'bench');
  await createStandard(sys, { firstResponseMinutes: 240, resolutionMinutes: 960 });
  // 16 clients opening cases for one customer would make every case that customer's: a help desk's
  // new cases come from many customers (what reads a customer's history then stays realistic).
  const customerIds: number[] = [];
  for (let i = 0; i < CUSTOMERS; i++) customerIds.push((await createCustomer(me, { name: 'Bench Customer', emails: [`customer${i + 1}@bench.example`] })).id);
  await setup.close();
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

  const ceilings = await durableCeilings(url);
  const kept = await startInstance(url, { poolSize: POOL_SIZE });
  const api = `${kept.base}/api/v1`;
  const rows: Row[] = [];
  const create = await load(`${api}/cases`, { method: 'POST', headers, bodyIds: customerIds, bodyTemplate: JSON.stringify({ subject: 'Benchmark case', channel: 'email', customerId: '{id}', message: 'Hello, my parcel is late.' }) }, kept);
  rows.push({ ...create, op: 'create case (POST /cases)', kind: 'write' });
  // The tables were empty a few seconds ago: plan from statistics, as autovacuum's ANALYZE would
  // let a server that has been running for a minute (without it, reads plan as if they were empty).
  const ids = await caseIds(url, { analyze: true });
  const reply = await load(api, { method: 'POST', headers, pathTemplate: '/api/v1/cases/{id}/replies', ids, body: JSON.stringify({ body: 'Dear Bench Customer,\n\nhere is an update.' }) }, kept);
  rows.push({ ...reply, op: 'reply (POST /cases/:id/replies)', kind: 'write' });
  const note = await load(api, { method: 'POST', headers, pathTemplate: '/api/v1/cases/{id}/notes', ids, body: JSON.stringify({ body: 'Called the courier: the parcel leaves the depot today.' }) }, kept);
  rows.push({ ...note, op: 'note (POST /cases/:id/notes)', kind: 'write' });
  const read = await load(api, { headers, pathTemplate: '/api/v1/cases/{id}', ids }, kept);
  rows.push({ ...read, op: 'read case (GET /cases/:id)', kind: 'read' });
  const list = await load(`${api}/cases?status=open&limit=50`, { headers }, kept);
  rows.push({ ...list, op: 'list open cases, 50/page', kind: 'read' });
  const mine = await load(`${api}/cases?owner=me&limit=50`, { headers }, kept);
  rows.push({ ...mine, op: 'list my cases, 50/page', kind: 'read' });
  await stopInstance(kept);

  const share = (r: Row) => {
    const c = r.kind === 'write' ? ceilings.write : r.kind === 'read' ? ceilings.read : null;
    return c ? `${(r.rps / c.rps).toFixed(2)} of ${r.kind}` : '';
  };
  const target = (r: Row) => (r.kind === 'write' ? '≥ 2,650 req/s, p99 < 50 ms (or ≥ 0.5 of the write ceiling)' : '');
  const cpu = (r: Row) => (r.cpu ? `${r.cpu.load.toFixed(2)} / ${r.cpu.server.toFixed(2)} / ${r.cpu.postgres.toFixed(2)}` : '');
  console.log(`\n### ${cluster.name} PostgreSQL — ${CONNECTIONS} connections, pool ${POOL_SIZE}, ${SECONDS} s each (${ids.length >= 5000 ? '5000+' : ids.length} cases before replies)\n`);
  console.log('| operation | req/s | p50 ms | p99 ms | errors | round trips / statements per request | CPU ms/request: load generator / server / PostgreSQL | share of ceiling | target |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const r of [ceilings.write, ceilings.read, ceilings.notify, ceilings.notifyOneTrip, ...rows]) {
    console.log(`| ${r.op} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.roundTrips?.toFixed(1) ?? ''} / ${r.statements?.toFixed(1) ?? ''} | ${cpu(r)} | ${share(r)} | ${target(r)} |`);
  }
  console.log(`| (context) bare Fastify GET, no database | ${ceiling.rps.toFixed(0)} | ${ceiling.p50} | ${ceiling.p99} | ${ceiling.errors} | | | | |`);
  const rss = Math.max(create.rssMb!, reply.rssMb!, note.rssMb!);
  console.log(`\nRSS of the Kept instance (a process of its own), sampled every 100 ms under the write load: ${rss.toFixed(0)} MB (target < 400 MB)`);
  // On 2 cores the load generator, Kept and PostgreSQL share the same CPUs: a request's CPU cost,
  // against the ceiling's, is what bounds its share of the ceiling.
  const costs = (r: Row) => r.cpu!.load + r.cpu!.server + r.cpu!.postgres;
  console.log(`CPU per request against the durable-write ceiling's ${costs(ceilings.write).toFixed(2)} ms: ${rows.filter((r) => r.kind === 'write').map((r) => `${r.op.split(' (')[0]} ${costs(r).toFixed(2)} ms (${(costs(r) / costs(ceilings.write)).toFixed(1)}×)`).join(', ')}`);

  if (PART === 'writes') return;
  await eventsAndWebhooks(url, token, customerIds);
  if (PART === 'events') return;
  const again = await createKept({ databaseUrl: url, clock: systemClock, logLevel: 'silent', poolSize: 20 });
  await benchScale(cluster, url); // realistic 1M cases (into this database), 10M on request: lists, search, pages
  await caseScreenTiming(again);
  await (await import('./workspace')).workspaceTiming(again);
  await portalTiming(again);
  await again.close();
}

/** The first 5,000 cases: the ones replies, notes and reads pick from. */
async function caseIds(url: string, opts: { analyze?: boolean } = {}): Promise<number[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    if (opts.analyze) await client.query('ANALYZE');
    return (await client.query<{ id: number }>('SELECT id::int AS id FROM cases ORDER BY id LIMIT 5000')).rows.map((r) => r.id);
  } finally {
    await client.end();
  }
}

/**
 * What the event stream costs the write path (case creation with and without subscribers, the
 * webhook fan-out included) and how fast events reach a webhook receiver on the loopback.
 */
async function eventsAndWebhooks(url: string, token: string, customerIds: number[]) {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const create = { method: 'POST' as const, headers, bodyIds: customerIds, bodyTemplate: JSON.stringify({ subject: 'Benchmark case', channel: 'email', customerId: '{id}', message: 'Hello, my parcel is late.' }) };
  const quiet = await createKept({ databaseUrl: url, clock: systemClock, logLevel: 'silent', poolSize: 20, subscribers: false });
  const quietCases = `${await quiet.http.listen({ port: 0, host: '127.0.0.1' })}/api/v1/cases`;
  await runLoad({ url: quietCases, connections: CONNECTIONS, seconds: WARMUP, ...create });
  const without = await load(quietCases, create);
  await quiet.close();

  const receiver = fork(fileURLToPath(new URL('./webhook-receiver.mjs', import.meta.url)));
  const hookUrl = await new Promise<string>((resolve) => receiver.once('message', (m: { url: string }) => resolve(m.url)));
  type Delivery = { at: number; occurredAt: number; id: string };
  const report = () => new Promise<Delivery[]>((resolve) => { receiver.once('message', (m: { received: Delivery[] }) => resolve(m.received)); receiver.send('report'); });
  const kept = await createKept({ databaseUrl: url, clock: systemClock, logLevel: 'silent', poolSize: 20, webhooksAllowPrivate: true });
  const cases = `${await kept.http.listen({ port: 0, host: '127.0.0.1' })}/api/v1/cases`;
  // Warm, then let the subscribers catch up with everything so far (the quiet run's events too)
  // before the webhook exists: what it receives is then the measured run's, each event once.
  await runLoad({ url: cases, connections: CONNECTIONS, seconds: WARMUP, ...create });
  while (await kept.timers.runDue() > 0);
  const admin = await createStaff(kept.ctx, { name: 'Bench Admin', email: 'bench.admin@example.test', role: 'admin' });
  await createWebhook({ ...kept.ctx, actor: { id: admin.id, name: admin.name, role: 'admin', teamId: null, departmentId: null } }, { url: hookUrl, events: ['case.opened'] });
  const started = Date.now();
  const withSubs = await load(cases, create);
  await new Promise((r) => setTimeout(r, 1000)); // the requests still in flight when the load stopped commit
  const expected = Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM domain_events WHERE type = 'case.opened' AND occurred_at >= ${new Date(started)}`.execute(kept.db)).rows[0]!.n);
  const measured = async () => (await report()).filter((r) => r.occurredAt >= started);
  let got = await measured();
  for (let i = 0; i < 600 && got.length < expected; i += 1) {
    await new Promise((r) => setTimeout(r, 100));
    got = await measured();
  }
  const lat = got.map((r) => r.at - r.occurredAt).sort((a, b) => a - b);
  const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? NaN;
  const span = (Math.max(...got.map((r) => r.at), started) - started) / 1000;
  const twice = got.length - new Set(got.map((r) => r.id)).size;
  await kept.close();
  receiver.send('stop');
  console.log('\n| events and webhooks (both runs after a warm-up) | value | target |');
  console.log('|---|---:|---|');
  console.log(`| create case, no subscribers | ${without.rps.toFixed(0)} req/s (p99 ${without.p99} ms) | |`);
  console.log(`| create case, subscribers + webhook fan-out | ${withSubs.rps.toFixed(0)} req/s (p99 ${withSubs.p99} ms) | |`);
  console.log(`| cost of the event stream on writes | ${((1 - withSubs.rps / without.rps) * 100).toFixed(1)} % | at most 10 % |`);
  console.log(`| event → webhook latency p50 / p99 | ${pct(0.5)} / ${pct(0.99)} ms | under 2 s |`);
  console.log(`| webhook deliveries of the measured run's case.opened | ${got.length} of ${expected} (${twice} twice) in ${span.toFixed(1)} s: ${(got.length / span).toFixed(0)} /s | all, once each |`);
}

/**
 * How fast the case screen becomes usable in a real browser, with the table at its largest:
 * from navigation to the reply button and the timeline on screen. Needs Debian's Chromium.
 */
async function caseScreenTiming(kept: Awaited<ReturnType<typeof createKept>>) {
  if (!fs.existsSync(CHROMIUM)) {
    console.log(`\ncase screen timing: skipped (no Chromium at ${CHROMIUM})`);
    return;
  }
  const base = await kept.http.listen({ port: 0, host: '127.0.0.1' });
  const sys = kept.ctx;
  await createStaff(sys, { name: 'Screen Timer', email: 'screen@example.test', role: 'agent', password: 'amber kettle timing screen' });
  // Nine cases from all over the table (a sample of its pages; on a small table, the newest).
  let ids = (await sql<{ id: number }>`SELECT id FROM cases TABLESAMPLE SYSTEM (0.1) LIMIT 9`.execute(kept.db)).rows.map((r) => r.id);
  if (ids.length < 9) ids = (await sql<{ id: number }>`SELECT id FROM cases ORDER BY id DESC LIMIT 9`.execute(kept.db)).rows.map((r) => r.id);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const page = await (await browser.newContext()).newPage();
  await page.goto(base);
  await page.getByLabel('Email').fill('screen@example.test');
  await page.getByLabel('Password').fill('amber kettle timing screen');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'My work' }).waitFor();
  const times: number[] = [];
  for (const id of ids) {
    const t0 = performance.now();
    await page.goto(`${base}/cases/${id}`);
    await page.getByRole('button', { name: 'Send reply' }).waitFor();
    await page.getByRole('heading', { name: 'Conversation and events' }).waitFor();
    await page.getByTestId('salutation').waitFor();
    times.push(performance.now() - t0);
  }
  await browser.close();
  const total = Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM cases`.execute(kept.db)).rows[0]!.n);
  times.sort((a, b) => a - b);
  console.log(`\ncase screen interactive (full page load, reply button and timeline on screen), ${total.toLocaleString('en')} cases: median ${times[Math.floor(times.length / 2)]!.toFixed(0)} ms, max ${times.at(-1)!.toFixed(0)} ms over ${times.length} cases`);
}

async function main() {
  fs.mkdirSync(WORK, { recursive: true });
  if (!PART) execFileSync('npx', ['vite', 'build', 'web', '--logLevel', 'warn'], { stdio: 'inherit' }); // the case screen is timed on the built app
  console.log(`# Kept benchmark — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString()}`);
  const ceiling = await bareCeiling();
  console.log(`\nbare Fastify ceiling: ${ceiling.rps.toFixed(0)} req/s, p50 ${ceiling.p50} ms, p99 ${ceiling.p99} ms`);
  if (!PART) await benchDemo(WORK);
  const only = process.env.BENCH_ONLY;
  for (const start of [() => startEmbeddedCluster(WORK), () => startServerCluster(WORK)]) {
    const cluster = await start();
    if ('skipped' in cluster) {
      console.log(`\nPostgreSQL server: skipped — ${cluster.skipped}`);
      continue;
    }
    if (only && only !== cluster.name) {
      await cluster.stop();
      continue;
    }
    try {
      await benchEngine(cluster, ceiling);
      if (PART === 'writes' || PART === 'events') continue;
      await benchChat(cluster);
      await benchLoyalty(cluster, WORK);
      await benchLoyaltyMap(cluster);
      await benchMail(cluster, WORK);
      if (cluster.name === 'server') await benchScaleOut(cluster);
    } finally {
      await cluster.stop();
    }
  }
  fs.rmSync(WORK, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
