/**
 * `npm run bench`: HTTP throughput and latency of the core operations with 16 concurrent
 * clients on both PostgreSQL engines, the bare-Fastify ceiling of this machine in the same run
 * (as a ratio), the lists, search and pages on a generated realistic organisation of 1,000,000
 * cases (and 10,000,000 with BENCH_SCALE_MAX=10000000; bench/scale), and the moments-of-truth map,
 * department scorecards and service stars over BENCH_ROWS cases and answers.
 *
 *   BENCH_SECONDS=5 (per operation)   BENCH_ROWS=1000000 (map bench size)   BENCH_ONLY=embedded|server
 *   BENCH_SCALE_MAX=10000000 (also the large size; default: 1M only)   BENCH_SCALE=20000,1000000 (other sizes)
 */
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import nodemailer from 'nodemailer';
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { createKept } from '../src/app';
import { systemClock } from '../src/core/clock';
import { migrate } from '../src/core/db/migrate';
import { createStaff, createApiToken } from '../src/staff';
import { createCustomer } from '../src/customers';
import { createStandard } from '../src/standards';
import { createWebhook } from '../src/webhooks/service';
import { startEmbeddedCluster, startServerCluster, dbUrl, type Cluster } from '../test/helpers/clusters';
import { benchChat } from './chat';
import { portalTiming } from './portal';
import { benchLoyalty } from './loyalty';
import { benchLoyaltyMap } from './loyalty-map';
import { benchScale } from './scale/measure';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 16;
const WORK = path.join(os.tmpdir(), `kept-bench-${process.pid}`);
const CHROMIUM = process.env.KEPT_CHROMIUM ?? '/usr/bin/chromium';

interface LoadSpec {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  pathTemplate?: string;
  ids?: number[];
  connections: number;
  seconds: number;
}

interface Row { op: string; rps: number; p50: number; p99: number; errors: number }

function load(url: string, opts: Omit<LoadSpec, 'url' | 'connections' | 'seconds'> = {}): Promise<Row> {
  return new Promise((resolve, reject) => {
    const spec: LoadSpec = { url, connections: CONNECTIONS, seconds: SECONDS, ...opts };
    const worker = fork(fileURLToPath(new URL('./load-worker.mjs', import.meta.url)), [JSON.stringify(spec)]);
    worker.once('message', (r: Omit<Row, 'op'>) => resolve({ op: '', ...r }));
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

async function benchEngine(cluster: Cluster, ceiling: Row) {
  const admin = new pg.Client({ connectionString: cluster.adminUrl });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS kept_bench');
  await admin.query('CREATE DATABASE kept_bench');
  await admin.end();
  const url = dbUrl(cluster.adminUrl, 'kept_bench');
  await migrate(url);
  const kept = await createKept({ databaseUrl: url, clock: systemClock, logLevel: 'silent', poolSize: 20 });
  const base = await kept.http.listen({ port: 0, host: '127.0.0.1' });
  const sys = kept.ctx;
  const agent = await createStaff(sys, { name: 'Bench Agent', email: 'bench@example.test', role: 'agent' });
  const me = { ...sys, actor: { id: agent.id, name: agent.name, role: agent.role, teamId: null, departmentId: null } };
  const { token } = await createApiToken(me, 'bench');
  await createStandard(sys, { firstResponseMinutes: 240, resolutionMinutes: 960 });
  const customer = await createCustomer(me, { name: 'Bench Customer', emails: ['customer@bench.example'] });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const api = `${base}/api/v1`;

  const rows: Row[] = [];
  const create = await load(`${api}/cases`, { method: 'POST', headers, body: JSON.stringify({ subject: 'Benchmark case', channel: 'email', customerId: customer.id, message: 'Hello, my parcel is late.' }) });
  rows.push({ ...create, op: 'create case (POST /cases)' });
  const ids = (await kept.db.selectFrom('cases').select('id').orderBy('id').limit(5000).execute()).map((r) => r.id);
  const reply = await load(api, { method: 'POST', headers, pathTemplate: '/api/v1/cases/{id}/replies', ids, body: JSON.stringify({ body: 'Dear Bench Customer,\n\nhere is an update.' }) });
  rows.push({ ...reply, op: 'reply (POST /cases/:id/replies)' });
  const read = await load(api, { headers, pathTemplate: '/api/v1/cases/{id}', ids });
  rows.push({ ...read, op: 'read case (GET /cases/:id)' });
  const list = await load(`${api}/cases?status=open&limit=50`, { headers });
  rows.push({ ...list, op: 'list open cases, 50/page' });
  const mine = await load(`${api}/cases?owner=me&limit=50`, { headers });
  rows.push({ ...mine, op: 'list my cases, 50/page' });

  console.log(`\n### ${cluster.name} PostgreSQL — ${CONNECTIONS} connections, ${SECONDS} s each (${ids.length >= 5000 ? '5000+' : ids.length} cases before replies)\n`);
  console.log('| operation | req/s | p50 ms | p99 ms | errors | share of bare ceiling |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.op} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.errors} | ${(r.rps / ceiling.rps).toFixed(3)} |`);

  await kept.close();
  await eventsAndWebhooks(url, token, customer.id);
  await smtpIngest(url);
  const again = await createKept({ databaseUrl: url, clock: systemClock, logLevel: 'silent', poolSize: 20 });
  await benchScale(cluster, url); // realistic 1M cases (into this database), 10M on request: lists, search, pages
  await caseScreenTiming(again);
  await portalTiming(again);
  await again.close();
}

/**
 * What the event stream costs the write path (case creation with and without subscribers, the
 * webhook fan-out included) and how fast events reach a webhook receiver on the loopback.
 */
async function eventsAndWebhooks(url: string, token: string, customerId: number) {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const body = JSON.stringify({ subject: 'Benchmark case', channel: 'email', customerId, message: 'Hello, my parcel is late.' });
  const quiet = await createKept({ databaseUrl: url, clock: systemClock, logLevel: 'silent', poolSize: 20, subscribers: false });
  const without = await load(`${await quiet.http.listen({ port: 0, host: '127.0.0.1' })}/api/v1/cases`, { method: 'POST', headers, body });
  await quiet.close();

  const received: { at: number; occurredAt: number }[] = [];
  const receiver = Fastify();
  receiver.post('/hook', async (req) => {
    received.push({ at: Date.now(), occurredAt: Date.parse((req.body as { timestamp: string }).timestamp) });
    return {};
  });
  const hookUrl = `${await receiver.listen({ port: 0, host: '127.0.0.1' })}/hook`;
  const kept = await createKept({ databaseUrl: url, clock: systemClock, logLevel: 'silent', poolSize: 20, webhooksAllowPrivate: true });
  const admin = await createStaff(kept.ctx, { name: 'Bench Admin', email: 'bench.admin@example.test', role: 'admin' });
  await createWebhook({ ...kept.ctx, actor: { id: admin.id, name: admin.name, role: 'admin', teamId: null, departmentId: null } }, { url: hookUrl, events: ['case.opened'] });
  await kept.timers.runDue(); // start the subscribers at the end of the stream so far
  const started = Date.now();
  const withSubs = await load(`${await kept.http.listen({ port: 0, host: '127.0.0.1' })}/api/v1/cases`, { method: 'POST', headers, body });
  const expected = Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM domain_events WHERE type = 'case.opened' AND occurred_at >= ${new Date(started)}`.execute(kept.db)).rows[0]!.n);
  for (let i = 0; i < 600 && received.length < expected; i += 1) await new Promise((r) => setTimeout(r, 100));
  const lat = received.map((r) => r.at - r.occurredAt).sort((a, b) => a - b);
  const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? NaN;
  const span = ((received.at(-1)?.at ?? Date.now()) - started) / 1000;
  await kept.close();
  await receiver.close();
  console.log('\n| events and webhooks | value | target |');
  console.log('|---|---:|---|');
  console.log(`| create case, no subscribers | ${without.rps.toFixed(0)} req/s (p99 ${without.p99} ms) | |`);
  console.log(`| create case, subscribers + webhook fan-out | ${withSubs.rps.toFixed(0)} req/s (p99 ${withSubs.p99} ms) | |`);
  console.log(`| cost of the event stream on writes | ${((1 - withSubs.rps / without.rps) * 100).toFixed(1)} % | at most 10 % |`);
  console.log(`| event → webhook latency p50 / p99 | ${pct(0.5)} / ${pct(0.99)} ms | under 2 s |`);
  console.log(`| webhook deliveries | ${received.length} of ${expected} in ${span.toFixed(1)} s: ${(received.length / span).toFixed(0)} /s | all |`);
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
  await createStaff(sys, { name: 'Screen Timer', email: 'screen@example.test', role: 'agent', password: 'screen-timer-password' });
  const ids = (await sql<{ id: number }>`SELECT id FROM cases TABLESAMPLE SYSTEM (0.1) LIMIT 9`.execute(kept.db)).rows.map((r) => r.id);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const page = await (await browser.newContext()).newPage();
  await page.goto(base);
  await page.getByLabel('Email').fill('screen@example.test');
  await page.getByLabel('Password').fill('screen-timer-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'My work' }).waitFor();
  const times: number[] = [];
  for (const id of ids) {
    const t0 = performance.now();
    await page.goto(`${base}/cases/${id}`);
    await page.getByRole('button', { name: 'Send reply' }).waitFor();
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    await page.getByTestId('salutation').waitFor();
    times.push(performance.now() - t0);
  }
  await browser.close();
  const total = Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM cases`.execute(kept.db)).rows[0]!.n);
  times.sort((a, b) => a - b);
  console.log(`\ncase screen interactive (full page load, reply button and timeline on screen), ${total.toLocaleString('en')} cases: median ${times[Math.floor(times.length / 2)]!.toFixed(0)} ms, max ${times.at(-1)!.toFixed(0)} ms over ${times.length} cases`);
}

/** Messages per second through the built-in SMTP receiver: acknowledged (stored) and filed into cases. */
async function smtpIngest(url: string) {
  const kept = await createKept({ databaseUrl: url, clock: systemClock, logLevel: 'silent', poolSize: 20, autoTimers: true, timerIntervalMs: 100,
    mail: { receiver: { port: 0, host: '127.0.0.1', maxBytes: 1024 * 1024 }, attachmentsDir: path.join(WORK, 'attachments') } });
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: kept.smtpPort!, secure: false, ignoreTLS: true, pool: true, maxConnections: 8, maxMessages: Infinity });
  const n = Number(process.env.BENCH_MAILS ?? 2000);
  const before = Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM inbound_emails`.execute(kept.db)).rows[0]!.n);
  const t0 = performance.now();
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < n; i++) {
    sends.push(transport.sendMail({ from: `customer${i % 500}@bench.example`, to: 'support@bench.example', subject: `Order ${i} is late`, text: `Hello,\n\nmy order ${i} has not arrived.\n\nThanks` }));
  }
  await Promise.all(sends);
  const stored = performance.now() - t0;
  for (;;) {
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM inbound_emails WHERE status <> 'received'`.execute(kept.db);
    if (rows[0]!.n - before >= n) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const filed = performance.now() - t0;
  const quarantined = Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM inbound_emails WHERE status = 'quarantined'`.execute(kept.db)).rows[0]!.n);
  transport.close();
  await kept.close();
  console.log(`\nSMTP ingest, ${n} messages over 8 connections: ${(n / (stored / 1000)).toFixed(0)} msg/s acknowledged (stored durably), ${(n / (filed / 1000)).toFixed(0)} msg/s filed into cases (parse, thread, customer, case, acknowledgement queued); ${quarantined} quarantined`);
}

async function main() {
  fs.mkdirSync(WORK, { recursive: true });
  execFileSync('npx', ['vite', 'build', 'web', '--logLevel', 'warn'], { stdio: 'inherit' }); // the case screen is timed on the built app
  console.log(`# Kept benchmark — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString()}`);
  const ceiling = await bareCeiling();
  console.log(`\nbare Fastify ceiling: ${ceiling.rps.toFixed(0)} req/s, p50 ${ceiling.p50} ms, p99 ${ceiling.p99} ms`);
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
      await benchChat(cluster);
      await benchLoyalty(cluster, WORK);
      await benchLoyaltyMap(cluster);
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
