/**
 * Nothing acknowledged is lost: a stream of writes, kill -9 in the middle, restart, and every
 * write that got a success answer is there. On the embedded engine we also kill the whole
 * process group (Kept and its PostgreSQL, as in a power cut) and restart on the same folder.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { freePort } from '../src/core/db/embedded';
import { TARGET, createTestDatabase, dropTestDatabase } from './helpers/app';
import { Api } from './helpers/api';

const ROOT = path.resolve(import.meta.dirname, '..');

interface Running { child: ChildProcess; api: Api; output: () => string }

/** Another test process may take a free port between our look and our listen: then try another. */
async function startKeptProcess(env: Record<string, string>, attempt = 1): Promise<Running> {
  try {
    return await startOnce(env);
  } catch (e) {
    if (attempt < 3 && /EADDRINUSE/.test(String(e))) return startKeptProcess(env, attempt + 1);
    throw e;
  }
}

async function startOnce(env: Record<string, string>): Promise<Running> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/kept.mjs'), 'start'], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: 'warn', KEPT_TIMER_INTERVAL_MS: '1000' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so a test can kill Kept and its PostgreSQL together
  });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  const deadline = Date.now() + 60_000;
  while (!out.includes('Kept is running')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`Kept did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, api: new Api(`http://127.0.0.1:${port}`), output: () => out };
}

async function stopIfRunning(run: Running) {
  if (run.child.exitCode !== null || run.child.signalCode !== null) return;
  run.child.kill('SIGKILL');
  await exited(run.child);
}

function exited(child: ChildProcess) {
  return new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

/** Writers post customers as fast as they can; only answers of 201 count as acknowledged. */
async function writeUntilKilled(api: Api, kill: () => void, ms: number) {
  const acknowledged: number[] = [];
  let stop = false;
  const writer = async (w: number) => {
    for (let i = 0; !stop; i++) {
      try {
        const res = await api.post('/customers', { name: `Durable ${w}-${i}`, emails: [`durable-${w}-${i}-${Date.now()}@example.test`] });
        if (res.status === 201) acknowledged.push(res.body.id);
      } catch {
        return; // connection reset by the kill: that write was never acknowledged
      }
    }
  };
  const writers = [0, 1, 2, 3].map(writer);
  await new Promise((r) => setTimeout(r, ms));
  kill();
  stop = true;
  await Promise.all(writers);
  return acknowledged;
}

async function signInFirstAdmin(run: Running) {
  // The line comes just after "Kept is running", possibly in the pipe's next chunk.
  const signIn = /sign in as (\S+) with password (\S+)/;
  for (let i = 0; i < 100 && !signIn.test(run.output()); i++) await new Promise((r) => setTimeout(r, 50));
  const m = signIn.exec(run.output());
  assert.ok(m, `the first run prints how to sign in:\n${run.output()}`);
  await run.api.signIn(m[1]!, m[2]!);
  const token = (await run.api.post('/auth/tokens', { name: 'durability test' })).body.token as string;
  return token;
}

async function assertAllPresent(api: Api, ids: number[]) {
  assert.ok(ids.length > 20, `expected a real stream of writes, got ${ids.length}`);
  const missing = [];
  for (const id of ids) if ((await api.get(`/customers/${id}`)).status !== 200) missing.push(id);
  assert.deepEqual(missing, [], `acknowledged writes lost after kill -9`);
}

describe(`durability on the ${TARGET} PostgreSQL`, () => {
  const cleanup: Array<() => Promise<void>> = [];
  after(async () => {
    for (const fn of cleanup.reverse()) await fn().catch(() => {});
  });

  /** A new data folder (embedded) or a new database (server) for one Kept, removed afterwards. */
  async function freshDatabase(): Promise<Record<string, string>> {
    if (TARGET === 'embedded') {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kept-durable-'));
      cleanup.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
      return { KEPT_DATA_DIR: dir };
    }
    const url = await createTestDatabase();
    cleanup.push(() => dropTestDatabase(url));
    return { DATABASE_URL: url };
  }

  it('kill -9 of Kept during a stream of acknowledged writes loses none of them', async () => {
    const env = await freshDatabase();

    const first = await startKeptProcess(env);
    cleanup.push(() => stopIfRunning(first)); // a test that fails before its kill must not leave Kept running
    const token = await signInFirstAdmin(first);
    first.api.useToken(token);
    // Kill only the Node process: on the embedded engine its PostgreSQL is orphaned, still holding the folder.
    const acked = await writeUntilKilled(first.api, () => process.kill(first.child.pid!, 'SIGKILL'), 1500);
    await exited(first.child);

    const second = await startKeptProcess(env);
    second.api.useToken(token);
    await assertAllPresent(second.api, acked);

    if (TARGET === 'embedded') {
      // Power-cut style: Kept and its PostgreSQL die together; the next start recovers the cluster.
      const more = await writeUntilKilled(second.api, () => process.kill(-second.child.pid!, 'SIGKILL'), 1500);
      await exited(second.child);
      const third = await startKeptProcess(env);
      third.api.useToken(token);
      await assertAllPresent(third.api, [...acked, ...more]);
      third.child.kill('SIGTERM');
      await exited(third.child);
    } else {
      second.child.kill('SIGTERM');
      await exited(second.child);
    }
  });

  it('kill -9 between committing events and delivering them loses no webhook delivery', async () => {
    // The receiver is down while writes stream in and Kept is killed; when both are back, every
    // acknowledged write's event arrives.
    let up = false;
    const got = new Set<string>();
    const customersSeen = new Set<number>();
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (!up) return void res.writeHead(503).end();
        got.add(String(req.headers['webhook-id']));
        const event = JSON.parse(body) as { type: string; data: { customerId: number } };
        if (event.type === 'customer.created') customersSeen.add(event.data.customerId);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise<void>((r) => receiver.close(() => r())));
    const env = await freshDatabase();
    env.KEPT_WEBHOOKS_ALLOW_PRIVATE = 'true';
    const first = await startKeptProcess(env);
    cleanup.push(() => stopIfRunning(first)); // a test that fails before its kill must not leave Kept running
    const token = await signInFirstAdmin(first);
    first.api.useToken(token);
    const hook = await first.api.post('/webhooks', { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, events: ['customer.created'] });
    assert.equal(hook.status, 201, JSON.stringify(hook.body));
    const acked = await writeUntilKilled(first.api, () => process.kill(first.child.pid!, 'SIGKILL'), 1500);
    await exited(first.child);
    up = true;
    const second = await startKeptProcess(env);
    cleanup.push(async () => { second.child.kill('SIGTERM'); await exited(second.child); });
    const deadline = Date.now() + 90_000;
    while (acked.some((id) => !customersSeen.has(id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    assert.ok(acked.length > 20, `expected a real stream of writes, got ${acked.length}`);
    assert.deepEqual(acked.filter((id) => !customersSeen.has(id)), [], 'every acknowledged write reached the webhook after the restart');
  });
});
