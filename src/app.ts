/**
 * Kept assembled: the database, the HTTP API under /api/v1, and the durable timers.
 * Used by `kept start`, by the tests (with a manual clock) and by the benchmark.
 */
import type {} from './schema';
import type { Clock } from './core/clock';
import type { Ctx, RuntimeConfig } from './core/context';
import { connect, type Db } from './core/db/connect';
import { createHttp, type App } from './core/http/server';
import type { TrustProxy } from './core/http/trust-proxy';
import { combineLoops, startTimers, type Timers } from './core/timers';
import { subscriberSweeps } from './core/subscribers';
import type { AppServices } from './core/feature';
import { actorForToken, rememberActors } from './staff';
import { normaliseStoredPhones } from './customers';
import path from 'node:path';
import type { MailConfig } from './core/config';
import { configureOutbox } from './outbox';
import { configureAttachments, configureMailTrust, startImapPolling, startSmtpReceiver } from './email';
import { startEventHub } from './core/events';
import { serveWorkspace } from './core/http/workspace';
import { configureSurveys } from './surveys/config';
import { FEATURES } from './features';
import { createMetrics, type Metrics } from './metrics/metrics';
import { demoSeedingWatch, refuseWritesWhileSeeding } from './demo';
import { countedHub, healthRoutes, measured, metricsRoutes, startMetricsServer } from './metrics/routes';

export interface KeptOptions {
  databaseUrl: string;
  clock: Clock;
  logLevel?: string;
  timerIntervalMs?: number;
  /** Tests turn the background timer loop off and call timers.runDue() after moving the clock. */
  autoTimers?: boolean;
  poolSize?: number;
  secureCookies?: boolean;
  /** Whose X-Forwarded-For names the client (KEPT_TRUST_PROXY); nobody's by default. */
  trustProxy?: TrustProxy;
  mail?: Partial<MailConfig>;
  /** Where customers open survey links (KEPT_PUBLIC_URL). */
  publicUrl?: string;
  /** Webhooks may call private and loopback addresses (KEPT_WEBHOOKS_ALLOW_PRIVATE). */
  webhooksAllowPrivate?: boolean;
  /** The benchmark turns subscribers off to measure what they cost the write path. */
  subscribers?: boolean;
  /** /metrics answers on the main port to `Authorization: Bearer <token>` (KEPT_METRICS_TOKEN). */
  metricsToken?: string;
  /** /metrics answers on a port of its own (KEPT_METRICS_PORT); 0 picks a free one. */
  metricsPort?: number;
  /** Interface of the metrics port (HOST). */
  metricsHost?: string;
  /** Scheduled backups into this folder (KEPT_BACKUP_*). */
  backup?: { dir: string; everyMs: number; keep: number; engine: 'embedded' | 'server' };
  /** Raw emails are emptied after this many months (KEPT_RETAIN_RAW_EMAIL_MONTHS). */
  retainRawEmailMonths?: number;
}

export interface Kept {
  http: App;
  db: Db;
  /** The system's own service context (no actor), for the CLI and tests. */
  ctx: Ctx;
  timers: Timers;
  /** The SMTP receiver's port when it runs. */
  smtpPort: number | null;
  /** The separate metrics port when it runs. */
  metricsPort: number | null;
  metrics: Metrics;
  imap: ReturnType<typeof startImapPolling>;
  close(): Promise<void>;
}

export async function createKept(opts: KeptOptions): Promise<Kept> {
  const { db, pool } = connect(opts.databaseUrl, opts.poolSize ?? 20);
  // Timers, subscribers and deliveries get connections of their own: under a burst of requests
  // they would otherwise queue behind them for the pool, and events would reach webhooks late.
  const { db: backgroundDb } = connect(opts.databaseUrl, 4);
  const metrics = createMetrics(db, pool, FEATURES.flatMap((f) => f.subscribers ?? []));
  const config: RuntimeConfig = {
    publicUrl: (opts.publicUrl ?? 'http://localhost:3000').replace(/\/$/, ''),
    webhooksAllowPrivate: opts.webhooksAllowPrivate ?? false,
    ...(opts.retainRawEmailMonths ? { retention: { rawEmailMonths: opts.retainRawEmailMonths } } : {}),
  };
  const http = createHttp({
    db,
    clock: opts.clock,
    config,
    resolveActor: rememberActors(actorForToken),
    logLevel: opts.logLevel ?? 'info',
    secureCookies: opts.secureCookies ?? false,
    trustProxy: opts.trustProxy ?? false,
  });

  http.get('/api/v1/health', { config: { access: 'public' }, schema: { tags: ['health'] } }, async () => {
    await db.selectNoFrom((eb) => eb.val(1).as('ok')).execute();
    return { status: 'ok', time: opts.clock.now() };
  });
  metricsRoutes(http, metrics, opts.metricsToken);
  http.get('/api/v1/openapi.json', { config: { access: 'public' }, schema: { hide: true } as object }, async () => http.swagger());
  const mail: MailConfig = {
    receiver: null, transportUrl: null, from: 'Kept Support <support@kept.local>', attachmentsDir: path.resolve('data/attachments'),
    attachmentMaxBytes: 10 * 1024 * 1024, imapIntervalMs: 60_000, ...opts.mail,
  };
  configureOutbox({ from: mail.from, transportUrl: mail.transportUrl });
  configureSurveys({ publicUrl: config.publicUrl });
  configureAttachments({ dir: mail.attachmentsDir, maxBytes: mail.attachmentMaxBytes });
  if (opts.backup) config.backup = { ...opts.backup, databaseUrl: opts.databaseUrl, attachmentsDir: mail.attachmentsDir };
  configureMailTrust({ authservIds: mail.trustedAuthservIds });
  const system: Ctx = { db, clock: opts.clock, actor: null, config };
  const background: Ctx = { ...system, db: backgroundDb };
  await normaliseStoredPhones(system); // numbers entered before E.164

  // While a demo year is being written (by `kept start --demo` in the background) the loops hold
  // and writes wait: both run on today's clock, the simulated year on its own (src/demo).
  const demoSeeding = demoSeedingWatch(db);
  refuseWritesWhileSeeding(http, demoSeeding);
  const loopOptions = {
    held: demoSeeding,
    intervalMs: opts.timerIntervalMs ?? 1000,
    autoStart: opts.autoTimers ?? true,
    onError: (name: string, e: unknown) => http.log.error({ err: e }, `timer ${name} failed`),
  };
  // Three kinds of loop, so none waits on another: timers (due rows, on the beat), subscribers
  // (woken at once by every committed event), and one loop per worker that waits on other
  // servers (a webhook receiver may take 10 s), woken when the subscribers have handed it work.
  const autoTimers = opts.autoTimers ?? true;
  const workers = FEATURES.flatMap((f) => Object.entries(f.workers ?? {}))
    .map(([name, sweep]) => startTimers(background, { [name]: metrics.measureSweep(name, sweep) }, loopOptions));
  const subscribers = startTimers(background, opts.subscribers === false ? {}
    : measured(metrics, subscriberSweeps(FEATURES.flatMap((f) => f.subscribers ?? []), { waitForHorizon: !autoTimers })), {
    ...loopOptions, onFired: () => { for (const w of workers) w.kick(); },
  });
  const timers = combineLoops([
    startTimers(background, measured(metrics, Object.assign({}, ...FEATURES.map((f) => f.timers ?? {}))), loopOptions), subscribers, ...workers,
  ]);
  const hub = await startEventHub(opts.databaseUrl, (e) => http.log.warn({ err: e }, 'live events connection lost'), () => {
    if (autoTimers) subscribers.kick();
  });
  const services: AppServices = { hub: countedHub(hub, metrics), mailboxesChanged: () => void imap.pollNow().catch(() => {}) };
  for (const f of FEATURES) await f.pages?.(http);
  await serveWorkspace(http);
  await http.register(async (api) => {
    healthRoutes(api as unknown as App, db);
    for (const f of FEATURES) f.routes?.(api as unknown as App, services);
  }, { prefix: '/api/v1' });

  const onMailError = (e: unknown) => http.log.warn({ err: e }, 'mail');
  const kick = () => timers.kick(); // many stored messages, one wake-up: asks while one waits make one run
  const receiver = mail.receiver ? await startSmtpReceiver(system, { ...mail.receiver, onStored: kick, onError: onMailError, held: demoSeeding }) : null;
  const imap = startImapPolling(system, { intervalMs: mail.imapIntervalMs, onStored: kick, onError: onMailError, held: demoSeeding });
  const metricsServer = opts.metricsPort === undefined ? null : await startMetricsServer(metrics, opts.metricsPort, opts.metricsHost ?? '127.0.0.1', opts.metricsToken);

  return {
    http,
    db,
    ctx: system,
    timers,
    smtpPort: receiver?.port ?? null,
    metricsPort: metricsServer?.port ?? null,
    metrics,
    imap,
    async close() {
      await receiver?.close();
      await metricsServer?.close();
      await imap.close();
      await timers.stop();
      await hub.close();
      await http.close();
      await db.destroy();
      await backgroundDb.destroy();
    },
  };
}
