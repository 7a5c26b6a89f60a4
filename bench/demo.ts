/**
 * `kept start --demo` on an empty data folder, as a person would run it: how soon the port
 * answers, and how long until the whole demo year is written (the log says "Demo ready").
 *   BENCH_DEMO_TIMEOUT=900 (seconds to wait for the year)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TIMEOUT_S = Number(process.env.BENCH_DEMO_TIMEOUT ?? 900);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    }).on('error', reject);
  });
}

export async function benchDemo(work: string) {
  const dataDir = path.join(work, 'demo-data');
  fs.rmSync(dataDir, { recursive: true, force: true });
  const port = await freePort();
  const started = Date.now();
  const child = spawn(process.execPath, ['bin/kept.mjs', 'start', '--demo'], {
    cwd: ROOT, env: { ...process.env, KEPT_DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const ready = new Promise<number>((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes('Demo ready')) resolve(Date.now());
    });
  });
  child.stderr.on('data', (d: Buffer) => { log += d.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  let answeredAt: number | null = null;
  while (!answeredAt && Date.now() - started < 60_000 && child.exitCode === null) {
    const ok = await fetch(`http://127.0.0.1:${port}/api/v1/demo/status`).then((r) => r.ok, () => false);
    if (ok) answeredAt = Date.now();
    else await new Promise((r) => setTimeout(r, 50));
  }
  const doneAt = await Promise.race([ready, exited.then(() => null), new Promise<null>((r) => setTimeout(() => r(null), TIMEOUT_S * 1000))]);
  child.kill('SIGTERM');
  await exited;
  fs.rmSync(dataDir, { recursive: true, force: true });
  const s = (t: number | null) => (t === null ? 'n/a' : ((t - started) / 1000).toFixed(1));
  console.log(`\ndemo: port answered in ${s(answeredAt)} s, full year in ${doneAt === null ? `more than ${TIMEOUT_S} s` : s(doneAt)} s (target 30 s)`);
  if (answeredAt === null || doneAt === null) console.log(log.split('\n').slice(-10).join('\n'));
}

// Standalone: `node --import tsx bench/demo.ts` (npm run bench calls benchDemo itself).
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const work = fs.mkdtempSync(path.join((await import('node:os')).tmpdir(), 'kept-bench-demo-'));
  fs.chmodSync(work, 0o755); // run as root, PostgreSQL runs as "postgres" and must enter it
  try {
    await benchDemo(work);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  process.exit(0); // fetch's idle keep-alive sockets to the stopped server would hold the process for minutes
}
