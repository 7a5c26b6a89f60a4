/**
 * One Kept instance for bench/scale-out.ts, in a process of its own (its own event loop, so a
 * core of its own): every timer, subscriber and worker loop runs here as in production.
 */
import { createKept } from '../src/app';
import { systemClock } from '../src/core/clock';

const kept = await createKept({ databaseUrl: process.argv[2]!, clock: systemClock, logLevel: 'silent', poolSize: 10, autoTimers: true, timerIntervalMs: 200, webhooksAllowPrivate: true });
const base = await kept.http.listen({ port: 0, host: '127.0.0.1' });
process.send!({ base });
process.on('message', (m) => {
  if (m === 'stop') void kept.close().then(() => process.exit(0));
});
