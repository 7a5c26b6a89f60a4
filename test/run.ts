/**
 * `npm test`: runs the whole suite twice, once on the embedded PostgreSQL and once on a
 * PostgreSQL server cluster it makes with the machine's initdb/pg_ctl (skipped, with the
 * reason, where there are none). Ends with one plain line: "N passed, N failed, N skipped".
 *
 *   npm test                      everything, both engines
 *   npm test -- handovers         only files whose path contains "handovers"
 *   KEPT_TEST_ONLY=server npm test
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { prepareTemplate, startEmbeddedCluster, startServerCluster, type Cluster } from './helpers/clusters';

const ROOT = path.resolve(import.meta.dirname, '..');
// Under the system temp folder: PostgreSQL runs as its own user and must be able to reach it.
const WORK = path.join(os.tmpdir(), `kept-test-${process.pid}`);

function testFiles(filter: string[]): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'node_modules') walk(full);
      else if (entry.name.endsWith('.test.ts')) found.push(path.relative(ROOT, full));
    }
  };
  walk(path.join(ROOT, 'src'));
  walk(path.join(ROOT, 'test'));
  return found.filter((f) => !filter.length || filter.some((w) => f.includes(w))).sort();
}

interface Tally { pass: number; fail: number; skipped: number }

function runSuite(cluster: Cluster, files: string[]): Promise<Tally> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files], {
      cwd: ROOT,
      env: { ...process.env, KEPT_TEST_ADMIN_URL: cluster.adminUrl, KEPT_TEST_TARGET: cluster.name },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const tally: Tally = { pass: 0, fail: 0, skipped: 0 };
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      process.stdout.write(text);
      buffer += text;
    });
    child.on('close', (code) => {
      for (const line of buffer.split('\n')) {
        const m = /^ℹ (pass|fail|skipped) (\d+)/.exec(line.trim());
        if (m) tally[m[1] as keyof Tally] = Number(m[2]);
      }
      if (code !== 0 && tally.fail === 0) tally.fail = 1; // a crash outside any test still fails the run
      resolve(tally);
    });
  });
}

/**
 * The browser tests need Debian's Chromium. On a fresh machine where we are root (as CI is),
 * install it, so that "npm test" really runs every test; elsewhere they are skipped with the reason.
 */
function ensureChromium() {
  const chromium = process.env.KEPT_CHROMIUM ?? '/usr/bin/chromium';
  if (fs.existsSync(chromium) || os.userInfo().uid !== 0 || !fs.existsSync('/usr/bin/apt-get')) return;
  console.log('Installing Debian\'s chromium for the browser tests (apt-get)…');
  try {
    execFileSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium'], { stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    console.log('note: chromium could not be installed; the browser tests will say so and skip');
  }
}

async function main() {
  const files = testFiles(process.argv.slice(2));
  // The workspace is served from web/dist: build it first, as npm start does.
  execFileSync('npx', ['vite', 'build', 'web', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  ensureChromium();
  if (!files.length) throw new Error('No test files matched');
  fs.mkdirSync(WORK, { recursive: true });
  const only = process.env.KEPT_TEST_ONLY;
  const total: Tally = { pass: 0, fail: 0, skipped: 0 };
  const notes: string[] = [];

  const engines: Array<() => Promise<Cluster | { skipped: string }>> = [];
  if (!only || only === 'embedded') engines.push(() => startEmbeddedCluster(WORK));
  if (!only || only === 'server') engines.push(() => startServerCluster(WORK));

  for (const start of engines) {
    const cluster = await start();
    if ('skipped' in cluster) {
      console.log(`\n== PostgreSQL server: SKIPPED — ${cluster.skipped}`);
      notes.push(cluster.skipped);
      continue;
    }
    console.log(`\n== ${files.length} test files on the ${cluster.name} PostgreSQL ==\n`);
    try {
      await prepareTemplate(cluster.adminUrl);
      const t = await runSuite(cluster, files);
      console.log(`== ${cluster.name}: ${t.pass} passed, ${t.fail} failed, ${t.skipped} skipped ==`);
      total.pass += t.pass;
      total.fail += t.fail;
      total.skipped += t.skipped;
    } finally {
      await cluster.stop();
    }
  }
  fs.rmSync(WORK, { recursive: true, force: true });
  for (const n of notes) console.log(`note: ${n}`);
  console.log(`${total.pass} passed, ${total.fail} failed, ${total.skipped} skipped`);
  process.exit(total.fail ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  console.log('0 passed, 1 failed, 0 skipped');
  process.exit(1);
});
