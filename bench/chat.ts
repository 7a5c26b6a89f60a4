/**
 * Live chat under load: BENCH_CHAT_CONNECTIONS (default 2,000) widget sockets held by two Kept
 * instances on one PostgreSQL (half on each), the server memory they cost, and the delivery
 * time of visitor messages posted to one instance to a socket held by the OTHER instance
 * (stored, pg_notify, LISTEN on the other instance, "everything after seq N" read, sent).
 * The sockets live in a child process (bench/chat-clients.mjs) so the server is measured alone.
 *
 *   node --import tsx bench/chat.ts           (starts an embedded PostgreSQL of its own)
 *   npm run bench                             (bench/run.ts calls benchChat on each engine)
 */
import { freshDatabase } from './fresh-database';
import { fork } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createKept } from '../src/app';
import { systemClock } from '../src/core/clock';
import { startConversation } from '../src/chat/service';
import { openSockets } from '../src/chat/socket';
import { startEmbeddedCluster, type Cluster } from '../test/helpers/clusters';

const CONNECTIONS = Number(process.env.BENCH_CHAT_CONNECTIONS ?? 2000);
const MESSAGES = Number(process.env.BENCH_CHAT_MESSAGES ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CHAT_CONCURRENCY ?? 20);

type Reply = { postP50?: number; postP99?: number; connected?: number; ms?: number; delivered?: number; errors?: number; p50?: number; p99?: number; open?: number };

export async function benchChat(cluster: Cluster) {
  const url = await freshDatabase(cluster, 'kept_chat_bench');
  const a = await createKept({ databaseUrl: url, clock: systemClock, logLevel: 'silent', poolSize: 20 });
  const b = await createKept({ databaseUrl: url, clock: systemClock, logLevel: 'silent', poolSize: 20 });
  const urls = [await a.http.listen({ port: 0, host: '127.0.0.1' }), await b.http.listen({ port: 0, host: '127.0.0.1' })];
  const convs = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    const c = await startConversation(a.ctx, { language: 'en' });
    convs.push({ id: c.conversationId, visitorToken: c.visitorToken });
  }
  const clients = fork(fileURLToPath(new URL('./chat-clients.mjs', import.meta.url)));
  const ask = (msg: object) => new Promise<Reply>((resolve) => { clients.once('message', (r) => resolve(r as Reply)); clients.send(msg); });
  global.gc?.();
  const before = process.memoryUsage();
  const connected = await ask({ convs, urls });
  await new Promise((r) => setTimeout(r, 1000));
  global.gc?.();
  const held = process.memoryUsage();
  const perConnection = (field: 'rss' | 'heapUsed') => ((held[field] - before[field]) / connected.connected! / 1024).toFixed(1);
  const sent = await ask({ send: MESSAGES, concurrency: CONCURRENCY });
  console.log(`\n### Live chat on ${cluster.name} (two instances, one database)\n`);
  console.log('| figure | value |\n|---|---:|');
  console.log(`| widget sockets held (both instances together, one process) | ${openSockets.count} of ${CONNECTIONS}, connected and synced in ${connected.ms} ms |`);
  console.log(`| server memory per socket (RSS / JS heap${global.gc ? ', after GC' : ''}) | ${perConnection('rss')} KiB / ${perConnection('heapUsed')} KiB |`);
  console.log(`| messages posted to one instance, delivered by the other | ${sent.delivered} of ${MESSAGES} (${sent.errors} errors), ${CONCURRENCY} at a time |`);
  console.log(`| delivery, POST to socket (p50 / p99) | ${sent.p50} ms / ${sent.p99} ms |`);
  console.log(`| the POST alone: stored and acknowledged (p50 / p99) | ${sent.postP50} ms / ${sent.postP99} ms |`);
  console.log(`| sockets still open at the end | ${sent.open} |`);
  clients.send({ close: true });
  await new Promise((r) => clients.once('exit', r));
  await a.close();
  await b.close();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const work = path.join(os.tmpdir(), `kept-chat-bench-${process.pid}`);
  fs.mkdirSync(work, { recursive: true });
  const cluster = await startEmbeddedCluster(work);
  try {
    await benchChat(cluster);
  } finally {
    await cluster.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
