/**
 * Mail and surveys at volume, in a database of their own:
 * - SMTP: messages per second acknowledged (stored durably, 250) and filed into cases (parsed,
 *   threaded, customer found or created, case opened, acknowledgement queued, events published);
 * - a relationship survey to a segment of BENCH_SURVEY_CUSTOMERS generated customers: time until
 *   every invitation is queued, then the send rate through a local SMTP sink, read from the
 *   send's progress API.
 *
 * Alone: node --import tsx bench/mail.ts   (BENCH_MAILS=2000 BENCH_SURVEY_CUSTOMERS=100000 BENCH_SECONDS=5)
 */
import { freshDatabase } from './fresh-database';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { sql } from 'kysely';
import { SMTPServer } from 'smtp-server';
import { createKept } from '../src/app';
import { systemClock } from '../src/core/clock';
import { createStandard } from '../src/standards';
import { createStaff } from '../src/staff';
import { createSurvey } from '../src/surveys/service';
import { sendProgress, sendToSegment } from '../src/surveys/segment-send';
import { startEmbeddedCluster, type Cluster } from '../test/helpers/clusters';
import { postgresCpuSeconds } from './cpu';

const MAILS = Number(process.env.BENCH_MAILS ?? 2000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const SURVEY_CUSTOMERS = Number(process.env.BENCH_SURVEY_CUSTOMERS ?? 100_000);
/**
 * Round trips and statements Kept sends to PostgreSQL, counted at the driver (node-postgres):
 * a pipelined round trip (core/db/pipeline) carries several statements.
 */
const sent = { roundTrips: 0, statements: 0, on: false, except: null as pg.Client | null, shapes: new Map<string, number>() };
/** BENCH_STATEMENTS=1 also prints the commonest statements (their first words) per message. */
const SHAPES = process.env.BENCH_STATEMENTS === '1';
const shapeOf = (statement: string) => statement.replace(/\s+/g, ' ').trim().slice(0, 60);
const query = pg.Client.prototype.query as (this: pg.Client, ...args: unknown[]) => unknown;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  if (sent.on && this !== sent.except) {
    // A pipeline (core/db/pipeline) carries its statements; anything else is one.
    const pipeline = (args[0] as { statements?: { text: string }[] } | undefined)?.statements;
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text ?? '';
    sent.roundTrips += 1;
    const statements = pipeline ? pipeline.map((st) => st.text) : [text];
    sent.statements += statements.length;
    if (SHAPES) for (const st of statements) sent.shapes.set(shapeOf(st), (sent.shapes.get(shapeOf(st)) ?? 0) + 1);
  }
  return query.apply(this, args);
} as typeof pg.Client.prototype.query;
const count = async (db: pg.Client | { query: pg.Client['query'] }, q: string) => Number((await db.query<{ n: number }>(q)).rows[0]!.n);


export async function benchMail(cluster: Cluster, work: string) {
  const url = await freshDatabase(cluster, 'kept_bench_mail');
  console.log(`\n### Mail and surveys at volume — ${cluster.name} PostgreSQL\n`);
  console.log('| mail and surveys | value | target |');
  console.log('|---|---:|---|');
  const ceiling = await smtpCeiling(url);
  console.log(`| SMTP ceiling: the same senders into a bare receiver that stores each message durably (smtp-server, one INSERT each, no parsing) | ${ceiling.toFixed(0)} msg/s | |`);
  await smtpIngest(url, work, ceiling);
  // A database of its own, so the SMTP run's acknowledgements do not share the outbox.
  if (SURVEY_CUSTOMERS) await segmentSurvey(await freshDatabase(cluster, 'kept_bench_survey'));
}

/** Messages per second through the built-in SMTP receiver: acknowledged (stored) and filed into cases. */
/**
 * What this machine can do at best with the same senders: an SMTP receiver (the same library Kept
 * uses) that answers 250 once the raw message is committed by one INSERT through a pool of 20,
 * nothing else. Kept's rates are reported as shares of it.
 */
async function smtpCeiling(url: string): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: 20 });
  await pool.query('CREATE TABLE IF NOT EXISTS bench_smtp_ceiling (id bigserial PRIMARY KEY, raw bytea NOT NULL)');
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['AUTH', 'STARTTLS'], logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        pool.query('INSERT INTO bench_smtp_ceiling (raw) VALUES ($1)', [Buffer.concat(chunks)]).then(() => callback(), (e: Error) => callback(e));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  const senders = new Worker(SENDERS, { eval: true, workerData: { port, mails: MAILS } });
  await new Promise((resolve) => senders.once('message', resolve));
  const t0 = performance.now();
  senders.postMessage('go');
  const failed = await new Promise<number>((resolve, reject) => { senders.once('message', resolve); senders.once('error', reject); });
  const seconds = (performance.now() - t0) / 1000;
  await senders.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await pool.query('DROP TABLE bench_smtp_ceiling');
  await pool.end();
  if (failed) throw new Error(`${failed} messages were not acknowledged by the ceiling's receiver`);
  return MAILS / seconds;
}

async function smtpIngest(url: string, work: string, ceiling: number) {
  const kept = await createKept({ databaseUrl: url, clock: systemClock, logLevel: 'silent', poolSize: 20, autoTimers: true, timerIntervalMs: 100,
    mail: { receiver: { port: 0, host: '127.0.0.1', maxBytes: 1024 * 1024 }, attachmentsDir: path.join(work, 'attachments') } });
  await createStandard(kept.ctx, { firstResponseMinutes: 240, resolutionMinutes: 960 });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  // The senders run in a thread of their own: a mail server delivering to Kept is another
  // machine, and in Kept's event loop nodemailer would take a tenth of the time being measured.
  const senders = new Worker(SENDERS, { eval: true, workerData: { port: kept.smtpPort!, mails: MAILS } });
  await new Promise((resolve) => senders.once('message', resolve)); // loaded
  sent.except = client;
  Object.assign(sent, { roundTrips: 0, statements: 0, on: true });
  const cpu0 = process.cpuUsage();
  const pg0 = postgresCpuSeconds();
  const t0 = performance.now();
  senders.postMessage('go');
  const failed = await new Promise<number>((resolve, reject) => { senders.once('message', resolve); senders.once('error', reject); });
  const stored = performance.now() - t0;
  await senders.terminate();
  if (failed) throw new Error(`${failed} messages were not acknowledged`);
  while (await count(client, `SELECT count(*)::int AS n FROM inbound_emails WHERE status = 'received'`) > 0) await new Promise((r) => setTimeout(r, 20));
  const filed = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const pgCpu = postgresCpuSeconds() - pg0;
  sent.on = false;
  const quarantined = await count(client, `SELECT count(*)::int AS n FROM inbound_emails WHERE status = 'quarantined'`);
  const cases = await count(client, `SELECT count(*)::int AS n FROM cases`);
  const acks = await count(client, `SELECT count(*)::int AS n FROM outbound_emails WHERE kind = 'acknowledgement'`);
  const opened = await count(client, `SELECT count(*)::int AS n FROM domain_events WHERE type = 'case.opened'`);
  await client.end();
  await kept.close();
  const rate = (ms: number) => MAILS / (ms / 1000);
  console.log(`| SMTP acknowledged (stored durably, 250), ${MAILS} messages over 8 connections | ${rate(stored).toFixed(0)} msg/s (${(rate(stored) / ceiling).toFixed(2)} of the ceiling) | ≥ 1,000 msg/s |`);
  console.log(`| SMTP filed into cases (parse, thread, customer, case, acknowledgement queued, events) | ${rate(filed).toFixed(0)} msg/s (${(rate(filed) / ceiling).toFixed(2)} of the ceiling) | ≥ 1,000 msg/s |`);
  console.log(`| … statements / round trips to PostgreSQL per message (storing and filing, counted at the driver) | ${(sent.statements / MAILS).toFixed(1)} / ${(sent.roundTrips / MAILS).toFixed(1)} | |`);
  console.log(`| … CPU per message: this process (Kept and the senders' thread) / PostgreSQL | ${((cpu.user + cpu.system) / 1000 / MAILS).toFixed(2)} / ${((pgCpu * 1000) / MAILS).toFixed(2)} ms | |`);
  if (SHAPES) {
    for (const [shape, n] of [...sent.shapes].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`|   ${(n / MAILS).toFixed(2)} × \`${shape.replace(/\|/g, '\\|')}\` | | |`);
  }
  console.log(`| … cases opened / acknowledgements queued / case.opened events / quarantined | ${cases} / ${acks} / ${opened} / ${quarantined} | ${MAILS} / ${MAILS} / ${MAILS} / 0 |`);
}

/** The sending side: MAILS messages over 8 pooled connections, as fast as they are acknowledged. */
const SENDERS = `
const { parentPort, workerData } = require('node:worker_threads');
const nodemailer = require('nodemailer');
const { port, mails } = workerData;
parentPort.postMessage('ready');
parentPort.once('message', async () => {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: 8, maxMessages: Infinity });
  let failed = 0;
  const sends = [];
  for (let i = 0; i < mails; i++) {
    sends.push(transport.sendMail({ from: 'customer' + (i % 500) + '@bench.example', to: 'support@bench.example', subject: 'Order ' + i + ' is late',
      text: 'Hello,\\n\\nmy order ' + i + ' has not arrived.\\n\\nThanks' }).catch(() => { failed += 1; }));
  }
  await Promise.all(sends);
  transport.close();
  parentPort.postMessage(failed);
});
`;

/** A local SMTP sink that accepts everything: the transport the survey emails go out through. */
async function startSink() {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['AUTH', 'STARTTLS'], logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => { received += 1; callback(); });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  return { port, received: () => received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/**
 * A relationship survey to a segment of SURVEY_CUSTOMERS generated customers: how long until all
 * invitations and their emails are queued, then how fast the outbox sends them through a local
 * SMTP sink over BENCH_SECONDS × 2, as the progress API reports it.
 */
async function segmentSurvey(url: string) {
  const sink = await startSink();
  const kept = await createKept({ databaseUrl: url, clock: systemClock, logLevel: 'silent', poolSize: 20, autoTimers: true, timerIntervalMs: 100,
    mail: { transportUrl: `smtp://127.0.0.1:${sink.port}?pool=true`, from: 'Bench Support <support@bench.example>' } });
  const sys = kept.ctx;
  await sql`INSERT INTO customers (name, title, given_name, family_name, first_name_ok, language, segment)
    SELECT 'Customer ' || g, (ARRAY['Ms', 'Mr', NULL])[1 + g % 3], 'Given' || g, 'Family' || g, g % 4 = 0,
           (ARRAY['en', 'en', 'en', 'de', 'fr', 'pl'])[1 + g % 6], 'bench-relationship'
    FROM generate_series(1, ${SURVEY_CUSTOMERS}) g`.execute(kept.db);
  await sql`INSERT INTO customer_emails (email, customer_id) SELECT 'customer' || id || '@relationship.example', id FROM customers WHERE segment = 'bench-relationship'`.execute(kept.db);
  await sql`ANALYZE customers`.execute(kept.db);
  await sql`ANALYZE customer_emails`.execute(kept.db);
  const admin = await createStaff(sys, { name: 'Bench Admin', email: 'survey.admin@example.test', role: 'admin' });
  const me = { ...sys, actor: { id: admin.id, name: admin.name, role: admin.role, teamId: null, departmentId: null } };
  const survey = await createSurvey(me, { name: 'Relationship', trigger: 'relationship', questions: [{ kind: 'nps' }, { kind: 'stay' }] });
  const t0 = performance.now();
  const send = await sendToSegment(me, survey.id, { segment: 'bench-relationship' });
  const queuedIn = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 2 * 1000));
  const { progress } = await sendProgress(me, send.sendId);
  const sendingFor = (performance.now() - t1) / 1000;
  await kept.close();
  await sink.close();
  console.log(`| relationship survey to a segment of ${SURVEY_CUSTOMERS.toLocaleString('en')} customers: invitations + emails + events queued | ${queuedIn.toFixed(1)} s (${send.sent.toLocaleString('en')} invited) | under 10 s |`);
  console.log(`| … then sent through a local SMTP sink (outbox, progress API) | ${(progress.sent / sendingFor).toFixed(0)} emails/s (after ${sendingFor.toFixed(0)} s: ${progress.sent} sent, ${progress.queued} queued, ${progress.failed} failed; sink got ${sink.received()}) | the transport's pace |`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const work = path.join(os.tmpdir(), `kept-bench-mail-${process.pid}`);
  fs.mkdirSync(work, { recursive: true });
  const cluster = await startEmbeddedCluster(work);
  try {
    console.log(`# Kept mail bench — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
    await benchMail(cluster, work);
  } finally {
    await cluster.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
