/**
 * Nothing acknowledged is lost, for mail: senders stream messages into the SMTP receiver, Kept
 * is killed with kill -9 in the middle (on the embedded engine together with its PostgreSQL, as
 * in a power cut), and after a restart every message that got its 250 is there and is filed into
 * a case. A message without its 250 may or may not be there: its sender retries it.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import { freePort } from '../../src/core/db/embedded';
import { TARGET, createTestDatabase, dropTestDatabase } from '../helpers/app';
import { Api } from '../helpers/api';

const ROOT = path.resolve(import.meta.dirname, '../..');

interface Running { child: ChildProcess; api: Api; smtpPort: number; output: () => string }

async function startKeptProcess(env: Record<string, string>, attempt = 1): Promise<Running> {
  const [port, smtpPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/kept.mjs'), 'start'], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), KEPT_SMTP_PORT: String(smtpPort), LOG_LEVEL: 'warn', KEPT_TIMER_INTERVAL_MS: '1000' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: Kept and its PostgreSQL die together
  });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  const deadline = Date.now() + 60_000;
  while (!out.includes('Kept is running')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      // Another test process may take a free port between our look and our listen.
      if (attempt < 3 && /EADDRINUSE/.test(out)) return startKeptProcess(env, attempt + 1);
      throw new Error(`Kept did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, api: new Api(`http://127.0.0.1:${port}`), smtpPort, output: () => out };
}

function exited(child: ChildProcess) {
  return new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

/** Four senders, one connection each; only a 250 counts as acknowledged ("Stored as message N"). */
async function sendUntilKilled(smtpPort: number, kill: () => void, ms: number) {
  const acknowledged: number[] = [];
  let stop = false;
  const sender = async (s: number) => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true, pool: true, maxConnections: 1, maxMessages: Infinity });
    try {
      for (let i = 0; !stop && i < 100; i++) {
        const info = await transport.sendMail({ from: `durable${s}-${i}@mail.example`, to: 'support@acme.test', subject: `Durable ${s}-${i}`, text: `Message ${i} of sender ${s}` });
        const id = /Stored as message (\d+)/.exec(info.response)?.[1];
        assert.ok(id, `a 250 names the stored message: ${info.response}`);
        acknowledged.push(Number(id));
      }
    } catch {
      // the connection died with Kept: that message was never acknowledged
    } finally {
      transport.close();
    }
  };
  const senders = [0, 1, 2, 3].map(sender);
  await new Promise((r) => setTimeout(r, ms));
  kill();
  stop = true;
  await Promise.all(senders);
  return acknowledged;
}

async function signInFirstAdmin(run: Running) {
  const m = /sign in as (\S+) with password (\S+)/.exec(run.output());
  assert.ok(m, `the first run prints how to sign in:\n${run.output()}`);
  await run.api.signIn(m[1]!, m[2]!);
  return (await run.api.post('/auth/tokens', { name: 'mail durability test' })).body.token as string;
}

/** Every acknowledged message is stored and, once filing has caught up, filed into a case. */
async function assertAllFiled(api: Api, ids: number[]) {
  assert.ok(ids.length > 10, `expected a real stream of mail, got ${ids.length}`);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const log = (await api.get('/emails?limit=500')).body.items as { id: number; status: string; caseId: number | null }[];
    const byId = new Map(log.map((e) => [e.id, e]));
    const missing = ids.filter((id) => !byId.has(id));
    assert.deepEqual(missing, [], 'acknowledged messages lost after kill -9');
    const unfiled = ids.filter((id) => byId.get(id)!.status !== 'processed' || !byId.get(id)!.caseId);
    if (!unfiled.length) return;
    if (Date.now() > deadline) assert.deepEqual(unfiled, [], 'acknowledged messages stored but never filed after the restart');
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe(`mail durability on the ${TARGET} PostgreSQL`, { timeout: 240_000 }, () => {
  const cleanup: Array<() => Promise<void>> = [];
  after(async () => {
    for (const fn of cleanup.reverse()) await fn().catch(() => {});
  });

  it('kill -9 while senders stream mail into the SMTP receiver loses no acknowledged message, and each is filed after the restart', async () => {
    const folder = () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kept-mail-durable-'));
      cleanup.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
      return dir;
    };
    const env: Record<string, string> = { KEPT_ATTACHMENTS_DIR: folder() };
    if (TARGET === 'embedded') env.KEPT_DATA_DIR = folder();
    else {
      env.DATABASE_URL = await createTestDatabase();
      cleanup.push(() => dropTestDatabase(env.DATABASE_URL!));
    }

    const first = await startKeptProcess(env);
    const token = await signInFirstAdmin(first);
    // On the embedded engine Kept and its PostgreSQL are killed together, as in a power cut.
    const kill = () => process.kill(TARGET === 'embedded' ? -first.child.pid! : first.child.pid!, 'SIGKILL');
    const acked = await sendUntilKilled(first.smtpPort, kill, 2000);
    await exited(first.child);

    const second = await startKeptProcess(env);
    second.api.useToken(token);
    await assertAllFiled(second.api, acked);
    second.child.kill('SIGTERM');
    await exited(second.child);
  });
});
