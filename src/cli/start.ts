import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { loadConfig } from '../core/config';
import { DEFAULT_RUNTIME } from '../core/context';
import { openDatabase } from '../core/db/open';
import { connect } from '../core/db/connect';
import { systemClock } from '../core/clock';
import { createKept } from '../app';
import { createStaff } from '../staff';
import { parseFlags } from './args';
import { seedDemo } from './seed';
import { configureSecrets } from '../core/secrets';
import { migrate } from '../core/db/migrate';
import { beginDemoSeeding, demoState, dropEverything, finishDemoSeeding, recordDemoProgress } from '../demo';

const HELP = `kept start — run Kept (API and web UI)

Options:
  --demo     fill an empty database with the demo organisation (in the background: Kept answers at once)

Environment:
  PORT (3000), HOST (127.0.0.1), DATABASE_URL (unset: embedded PostgreSQL in KEPT_DATA_DIR, ./data),
  KEPT_TIMER_INTERVAL_MS (1000), LOG_LEVEL (info)`;

export async function startCommand(args: string[]) {
  const flags = parseFlags(args, { demo: { type: 'boolean' } }, z.object({ demo: z.boolean().optional() }), HELP);
  if (!flags) return;
  const config = loadConfig();
  configureSecrets({ key: config.secretKey, keyFile: path.join(config.dataDir, 'secret.key') });
  const started = Date.now();
  const database = await openDatabase(config);
  // Whether a demo year is to be written is settled (and marked in the database) before the
  // server starts: from then on its timers hold and writes wait until the year is complete.
  const seedNow = flags.demo ? await prepareDemo(database.url, config.publicUrl) : false;
  if (!flags.demo && await withConnection(database.url, config.publicUrl, false, (ctx) => demoState(ctx.db)) === 'interrupted') {
    console.log('A demo year was left half-written: timers hold and writes wait until "start --demo" writes it again.');
  }
  const firstAdmin = await withConnection(database.url, config.publicUrl, false, ensureAdmin);
  const kept = await createKept({ databaseUrl: database.url, clock: systemClock, logLevel: config.logLevel, timerIntervalMs: config.timerIntervalMs, secureCookies: config.secureCookies, trustProxy: config.trustProxy, mail: config.mail, publicUrl: config.publicUrl, webhooksAllowPrivate: config.webhooksAllowPrivate, metricsToken: config.metrics.token, metricsPort: config.metrics.port, metricsHost: config.host, retainRawEmailMonths: config.retainRawEmailMonths,
    backup: config.backup.dir ? { dir: config.backup.dir, everyMs: config.backup.everyMs, keep: config.backup.keep, engine: database.embedded ? 'embedded' : 'server' } : undefined });

  let stopping = false;
  let seeding: Promise<void> | null = null;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping Kept…`);
    await seeding; // it stops at its next event, leaving the year unfinished (redone on the next start)
    await kept.close().catch(() => {});
    await database.stop().catch(() => {});
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  const address = await kept.http.listen({ port: config.port, host: config.host }).catch(async (e) => {
    await kept.close().catch(() => {});
    await database.stop().catch(() => {}); // leave no PostgreSQL running behind a failed start
    throw e;
  });
  if (config.backup.dir) console.log(`Backing up to ${config.backup.dir} every ${process.env.KEPT_BACKUP_EVERY ?? '1d'}, keeping ${config.backup.keep}`);
  if (kept.metricsPort) console.log(`Metrics (Prometheus) on http://${config.host}:${kept.metricsPort}/metrics`);
  if (kept.smtpPort) console.log(`Receiving email by SMTP on port ${kept.smtpPort}`);
  console.log(`Kept is running at ${address.replace('127.0.0.1', 'localhost')} (database: ${database.embedded ? `embedded, in ${config.dataDir}` : 'PostgreSQL server'}; ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (firstAdmin) {
    console.log(`\nFirst run: sign in as ${firstAdmin.email} with password ${firstAdmin.password}`);
    console.log('(shown once: change it under Account in the web app, or make another admin with "npm run kept -- admin create")');
  }
  if (flags.demo) console.log('Demo staff sign in with their email and the password "demo-password".');
  if (seedNow) seeding = seedInBackground(database.url, config.publicUrl, () => stopping);
}

/** Settles what this start does about the demo; true when the year is to be written now. */
async function prepareDemo(url: string, publicUrl: string): Promise<boolean> {
  let state = await withConnection(url, publicUrl, false, (ctx) => demoState(ctx.db));
  if (state === 'interrupted') {
    console.log('The demo seeding was interrupted last time: starting the demo again on a clean slate.');
    await withConnection(url, publicUrl, false, (ctx) => dropEverything(ctx.db));
    await migrate(url);
    state = 'empty';
  }
  if (state === 'not-empty') console.log('The database already has cases: demo data not added.');
  if (state !== 'empty') return false;
  await withConnection(url, publicUrl, false, (ctx) => beginDemoSeeding(ctx.db));
  return true;
}

/** The demo year, written while the server answers; the workspace shows how far it is. */
async function seedInBackground(url: string, publicUrl: string, stopped: () => boolean) {
  const started = Date.now();
  try {
    await withConnection(url, publicUrl, true, async (ctx) => {
      await seedDemo(ctx, { log: (l) => console.log(l), progress: (p) => recordDemoProgress(ctx.db, p), stopped });
      await finishDemoSeeding(ctx.db);
    });
    console.log(`Demo ready: the whole year written in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  } catch (e) {
    // Left unfinished on purpose: the next start with --demo begins again on a clean slate.
    if (stopped()) console.log('Demo seeding stopped unfinished: the next start with --demo begins it again.');
    else console.error('The demo seeding failed (start again with --demo to redo it):', e);
  }
}

/** bulk: synchronous_commit off, for demo data only (a crash while seeding just means seeding again). */
async function withConnection<T>(url: string, publicUrl: string, bulk: boolean, fn: (ctx: Parameters<typeof createStaff>[0]) => Promise<T>): Promise<T> {
  const { db } = connect(url, 2, { bulk });
  try {
    return await fn({ db, clock: systemClock, actor: null, config: { ...DEFAULT_RUNTIME, publicUrl } });
  } finally {
    await db.destroy();
  }
}

/** A fresh installation gets one administrator so that somebody can sign in at all. */
async function ensureAdmin(ctx: Parameters<typeof createStaff>[0]) {
  const existing = await ctx.db.selectFrom('staff').select('id').where('role', '=', 'admin').executeTakeFirst();
  if (existing) return null;
  const password = randomBytes(12).toString('base64url');
  const email = 'admin@kept.local';
  await createStaff(ctx, { name: 'Administrator', email, role: 'admin', password });
  return { email, password };
}
