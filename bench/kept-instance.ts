/**
 * One Kept instance in a process of its own, as `kept start` runs it (its own event loop, heap
 * and core): every timer, subscriber and worker loop runs here as in production. The bench's
 * figures about "one instance" come from here, not from the bench's own process, which also
 * holds the load generators' bookkeeping and earlier runs' heap.
 *
 * argv: the database URL, then options as JSON (`{ poolSize, timerIntervalMs, autoTimers }`).
 * It answers the parent's messages:
 * - 'figures': `{ roundTrips, statements, cpuMs, maxRssMb }` since the last 'figures' — the round
 *   trips to PostgreSQL (each pg.Client#query) and the statements they carried (a pipeline of
 *   held-back writes carries several, see core/db/pipeline), this process's CPU time and the highest
 *   resident memory sampled every 100 ms;
 * - 'stop': closes Kept and exits.
 */
import pg from 'pg';
import { createKept } from '../src/app';
import { systemClock } from '../src/core/clock';

let roundTrips = 0;
let statements = 0;
const sendQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function countedQuery(this: pg.Client, ...args: unknown[]) {
  roundTrips += 1;
  statements += (args[0] as { statements?: unknown[] } | undefined)?.statements?.length ?? 1;
  return (sendQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pg.Client.prototype.query;

const options = JSON.parse(process.argv[3] ?? '{}') as { poolSize?: number; timerIntervalMs?: number; autoTimers?: boolean };
const kept = await createKept({
  databaseUrl: process.argv[2]!, clock: systemClock, logLevel: 'silent', webhooksAllowPrivate: true,
  poolSize: options.poolSize ?? 10, autoTimers: options.autoTimers ?? true, timerIntervalMs: options.timerIntervalMs,
});
const base = await kept.http.listen({ port: 0, host: '127.0.0.1' });

let maxRss = process.memoryUsage.rss();
setInterval(() => { maxRss = Math.max(maxRss, process.memoryUsage.rss()); }, 100).unref();
let since = { roundTrips, statements, cpu: process.cpuUsage() };

process.send!({ base });
process.on('message', (m) => {
  if (m === 'figures') {
    const cpu = process.cpuUsage(since.cpu);
    process.send!({ roundTrips: roundTrips - since.roundTrips, statements: statements - since.statements, cpuMs: (cpu.user + cpu.system) / 1000, maxRssMb: maxRss / 2 ** 20 });
    since = { roundTrips, statements, cpu: process.cpuUsage() };
    maxRss = process.memoryUsage.rss();
  }
  if (m === 'stop') void kept.close().then(() => process.exit(0));
});
