/**
 * Liveness, readiness and /metrics. /metrics is never open to the world: it answers only with
 * the bearer token KEPT_METRICS_TOKEN on the main port, or on a port of its own
 * (KEPT_METRICS_PORT) that the operator keeps on a private network.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import Fastify from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../core/db/connect';
import type { App } from '../core/http/server';
import type { EventHub } from '../core/events';
import type { Sweep } from '../core/timers';
import { pendingMigrations } from '../core/db/migrate';
import type { Metrics } from './metrics';

/** Under /api/v1 (so they are in the OpenAPI document). */
export function healthRoutes(http: App, db: Db) {
  http.get('/health/live', {
    config: { access: 'public' },
    schema: { tags: ['health'], summary: 'Liveness: the process answers (restart it when this fails)', response: { 200: z.object({ status: z.literal('alive') }) } },
  }, async () => ({ status: 'alive' as const }));

  http.get('/health/ready', {
    config: { access: 'public' },
    schema: {
      tags: ['health'],
      summary: 'Readiness: the database answers and every migration is applied (send traffic only when this is 200)',
      response: { 200: z.object({ status: z.literal('ready') }), 503: z.object({ status: z.literal('unavailable'), reason: z.string() }) },
    },
  }, async (_req, reply) => {
    let applied: string[];
    try {
      applied = (await sql<{ name: string }>`SELECT name FROM schema_migrations`.execute(db)).rows.map((r) => r.name);
    } catch (e) {
      return reply.code(503).send({ status: 'unavailable' as const, reason: `database unreachable: ${(e as Error).message}` });
    }
    const pending = await pendingMigrations(applied);
    if (pending.length) return reply.code(503).send({ status: 'unavailable' as const, reason: `migrations not applied: ${pending.join(', ')}` });
    return { status: 'ready' as const };
  });
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
  if (!given) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

export function metricsRoutes(http: App, metrics: Metrics, token: string | undefined) {
  http.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    if (route === '/metrics') return;
    metrics.observeRequest(route, req.method, reply.statusCode, reply.elapsedTime / 1000);
  });
  if (!token) return; // without a token, /metrics is only on the metrics port (or off)
  http.get('/metrics', { config: { access: 'public' }, schema: { hide: true } as object }, async (req, reply) => {
    if (!tokenMatches(req.headers.authorization, token)) {
      return reply.code(401).header('www-authenticate', 'Bearer').type('text/plain').send('metrics need the bearer token KEPT_METRICS_TOKEN\n');
    }
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(await metrics.text());
  });
}

/** /metrics on a port of its own, for a private network (a token, when set, is asked there too). */
export async function startMetricsServer(metrics: Metrics, port: number, host: string, token: string | undefined) {
  const app = Fastify({ logger: false });
  app.get('/metrics', async (req, reply) => {
    if (token && !tokenMatches(req.headers.authorization, token)) return reply.code(401).send('unauthorised\n');
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(await metrics.text());
  });
  await app.listen({ port, host });
  const address = app.server.address();
  return { port: typeof address === 'object' && address ? address.port : port, close: () => app.close() };
}

export function measured(metrics: Metrics, sweeps: Record<string, Sweep>): Record<string, Sweep> {
  return Object.fromEntries(Object.entries(sweeps).map(([name, sweep]) => [name, metrics.measureSweep(name, sweep)]));
}

/** The live hub as features see it, counting open streams. */
export function countedHub(hub: EventHub, metrics: Metrics): EventHub {
  return {
    subscribe(listener) {
      metrics.liveConnections.inc();
      const unsubscribe = hub.subscribe(listener);
      let done = false;
      return () => {
        if (!done) metrics.liveConnections.dec();
        done = true;
        unsubscribe();
      };
    },
    close: () => hub.close(),
  };
}
