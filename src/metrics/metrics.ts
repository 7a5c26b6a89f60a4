/**
 * What an operator watches: Prometheus figures for one app instance. HTTP latency is counted
 * by route pattern (never the raw URL, which would make a series per case id); backlogs are
 * read from the database at scrape time, so every instance reports the same queue figures and
 * nothing has to be kept in step by hand.
 */
import { sql } from 'kysely';
import type pg from 'pg';
import client from 'prom-client';
import type { Db } from '../core/db/connect';
import type { Sweep } from '../core/timers';
import type { Subscriber } from '../core/subscribers';

export interface Metrics {
  registry: client.Registry;
  /** Wraps a timer or worker sweep so its runs and its lag are measured. */
  measureSweep(name: string, sweep: Sweep): Sweep;
  /** Counts a request that finished (route pattern, method, status). */
  observeRequest(route: string, method: string, status: number, seconds: number): void;
  /** One more (or one fewer) live connection (server-sent events). */
  liveConnections: client.Gauge;
  text(): Promise<string>;
}

export function createMetrics(db: Db, pool: pg.Pool, subscribers: Pick<Subscriber, 'name' | 'types'>[] = []): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'kept_process_' });

  const http = new client.Histogram({
    name: 'kept_http_request_duration_seconds',
    help: 'HTTP request latency by route pattern, method and status class',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  new client.Gauge({
    name: 'kept_db_pool_connections',
    help: 'Database pool connections of this instance: total, idle, and requests waiting for one',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      this.set({ state: 'total' }, pool.totalCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
    },
  });

  const sweepSeconds = new client.Histogram({
    name: 'kept_timer_sweep_duration_seconds',
    help: 'How long one run of a timer or worker sweep took',
    labelNames: ['timer'] as const,
    buckets: [0.001, 0.005, 0.025, 0.1, 0.5, 1, 5, 30],
    registers: [registry],
  });
  const sweepFired = new client.Counter({
    name: 'kept_timer_fired_total', help: 'Timers fired (rows handled) by each sweep', labelNames: ['timer'] as const, registers: [registry],
  });
  const lastRun = new Map<string, number>();
  new client.Gauge({
    name: 'kept_timer_lag_seconds',
    help: 'Seconds since each timer or worker sweep last finished (grows when the timer loop is stuck)',
    labelNames: ['timer'] as const,
    registers: [registry],
    collect() {
      const now = Date.now();
      for (const [name, at] of lastRun) this.set({ timer: name }, (now - at) / 1000);
    },
  });

  new client.Gauge({
    name: 'kept_subscriber_lag_events',
    help: 'Domain events of the types each subscriber handles that it has not handled yet',
    labelNames: ['subscriber'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const s of subscribers) {
        const types = s.types === 'all' ? null : [...s.types];
        const r = await sql<{ behind: number }>`
          SELECT count(*)::int AS behind FROM domain_events d
          LEFT JOIN event_cursors c ON c.subscriber = ${s.name}
          WHERE (d.tx_id, d.id) > (coalesce(c.last_tx_id, '0'::xid8), coalesce(c.last_id, 0))
            AND (${types}::text[] IS NULL OR d.type = ANY(${types}::text[]))`.execute(db);
        this.set({ subscriber: s.name }, r.rows[0]?.behind ?? 0);
      }
    },
  });

  new client.Gauge({
    name: 'kept_webhook_backlog',
    help: 'Webhook deliveries waiting to be sent (pending), and how many of them are already due',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const r = await sql<{ pending: number; due: number }>`
        SELECT count(*)::int AS pending, count(*) FILTER (WHERE next_attempt_at <= now())::int AS due
        FROM webhook_deliveries WHERE status = 'pending'`.execute(db);
      this.set({ state: 'pending' }, r.rows[0]?.pending ?? 0);
      this.set({ state: 'due' }, r.rows[0]?.due ?? 0);
    },
  });

  new client.Gauge({
    name: 'kept_outbound_emails',
    help: 'Outgoing emails by status (queued is the outbox backlog)',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const rows = await sql<{ status: string; n: number }>`SELECT status, count(*)::int AS n FROM outbound_emails GROUP BY status`.execute(db);
      this.reset();
      for (const s of ['queued', 'sent', 'failed']) this.set({ status: s }, rows.rows.find((r) => r.status === s)?.n ?? 0);
    },
  });

  new client.Gauge({
    name: 'kept_inbound_emails',
    help: 'Emails received, by how they came (smtp or imap) and what became of them',
    labelNames: ['via', 'status'] as const,
    registers: [registry],
    async collect() {
      const rows = await sql<{ via: string; status: string; n: number }>`
        SELECT split_part(source, ':', 1) AS via, status, count(*)::int AS n FROM inbound_emails GROUP BY 1, 2`.execute(db);
      this.reset();
      for (const via of ['smtp', 'imap']) this.set({ via, status: 'received' }, 0);
      for (const r of rows.rows) this.set({ via: r.via, status: r.status }, r.n);
    },
  });

  new client.Gauge({
    name: 'kept_open_cases',
    help: 'Cases not yet resolved or closed',
    registers: [registry],
    async collect() {
      const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM cases WHERE status NOT IN ('resolved', 'closed')`.execute(db);
      this.set(r.rows[0]?.n ?? 0);
    },
  });

  new client.Gauge({
    name: 'kept_open_chats',
    help: 'Chat conversations not yet ended or abandoned, by status',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const rows = await sql<{ status: string; n: number }>`
        SELECT status, count(*)::int AS n FROM chat_conversations WHERE status NOT IN ('ended', 'abandoned') GROUP BY status`.execute(db);
      this.reset();
      for (const s of ['open', 'queued', 'active', 'waiting_as_case']) this.set({ status: s }, rows.rows.find((r) => r.status === s)?.n ?? 0);
    },
  });

  const liveConnections = new client.Gauge({
    name: 'kept_live_connections', help: 'Open live-update streams (server-sent events) on this instance', registers: [registry],
  });
  liveConnections.set(0);

  return {
    registry,
    liveConnections,
    observeRequest(route, method, status, seconds) {
      http.observe({ route, method, status: `${Math.floor(status / 100)}xx` }, seconds);
    },
    measureSweep(name, sweep) {
      return async (ctx) => {
        const end = sweepSeconds.startTimer({ timer: name });
        try {
          const fired = await sweep(ctx);
          if (fired) sweepFired.inc({ timer: name }, fired);
          return fired;
        } finally {
          end();
          lastRun.set(name, Date.now());
        }
      };
    },
    text: () => registry.metrics(),
  };
}
