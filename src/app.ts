/**
 * Kept assembled: the database, the HTTP API under /api/v1, and the durable timers.
 * Used by `kept start`, by the tests (with a manual clock) and by the benchmark.
 */
import type { Clock } from './core/clock';
import { connect, type Db } from './core/db/connect';
import { createHttp, type App } from './core/http/server';
import { startTimers, type Timers } from './core/timers';
import { actorForToken, staffRoutes } from './staff';
import { orgRoutes } from './org/routes';
import { standardsRoutes } from './standards/routes';
import { customerRoutes } from './customers/routes';
import { caseRoutes } from './cases/routes';
import { handoverRoutes } from './handovers/routes';
import { commitmentRoutes } from './commitments/routes';
import { notificationRoutes } from './notifications/routes';
import { auditRoutes } from './audit/routes';
import { expireHandovers } from './handovers';
import { breakOverdueCommitments, warnOfDueCommitments } from './commitments';

export interface KeptOptions {
  databaseUrl: string;
  clock: Clock;
  logLevel?: string;
  timerIntervalMs?: number;
  /** Tests turn the background timer loop off and call timers.runDue() after moving the clock. */
  autoTimers?: boolean;
  poolSize?: number;
  secureCookies?: boolean;
}

export interface Kept {
  http: App;
  db: Db;
  timers: Timers;
  close(): Promise<void>;
}

export async function createKept(opts: KeptOptions): Promise<Kept> {
  const { db } = connect(opts.databaseUrl, opts.poolSize ?? 20);
  const http = createHttp({
    db,
    clock: opts.clock,
    resolveActor: actorForToken,
    logLevel: opts.logLevel ?? 'info',
    secureCookies: opts.secureCookies ?? false,
  });

  http.get('/api/v1/health', { config: { access: 'public' }, schema: { tags: ['health'] } }, async () => {
    await db.selectNoFrom((eb) => eb.val(1).as('ok')).execute();
    return { status: 'ok', time: opts.clock.now() };
  });
  http.get('/api/v1/openapi.json', { config: { access: 'public' }, schema: { hide: true } as object }, async () => http.swagger());
  http.get('/', { config: { access: 'public' }, schema: { hide: true } as object }, async (_req, reply) =>
    reply.type('text/html').send(LANDING));

  await http.register(async (api) => {
    for (const routes of [staffRoutes, orgRoutes, standardsRoutes, customerRoutes, caseRoutes, handoverRoutes, commitmentRoutes, notificationRoutes, auditRoutes]) {
      routes(api as unknown as App);
    }
  }, { prefix: '/api/v1' });

  const timers = startTimers(
    { db, clock: opts.clock, actor: null },
    { expireHandovers, warnOfDueCommitments, breakOverdueCommitments },
    {
      intervalMs: opts.timerIntervalMs ?? 1000,
      autoStart: opts.autoTimers ?? true,
      onError: (name, e) => http.log.error({ err: e }, `timer ${name} failed`),
    },
  );

  return {
    http,
    db,
    timers,
    async close() {
      await timers.stop();
      await http.close();
      await db.destroy();
    },
  };
}

const LANDING = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Kept</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>Kept is running</h1>
<p>The API lives under <code>/api/v1</code>; its OpenAPI description is at
<a href="/api/v1/openapi.json">/api/v1/openapi.json</a>. Sign in with
<code>POST /api/v1/auth/sign-in</code>.</p></body></html>`;
