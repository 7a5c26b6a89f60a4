/**
 * The two PostgreSQL engines every test runs against: the embedded one Kept ships, and a real
 * server cluster made with the machine's initdb/pg_ctl. Each test file clones a migrated
 * template database, so files never see each other's rows.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, freePort } from '../../src/core/db/embedded';
import { migrate } from '../../src/core/db/migrate';

export const TEMPLATE = 'kept_template';

export interface Cluster {
  name: 'embedded' | 'server';
  adminUrl: string;
  stop(): Promise<void>;
}

export function dbUrl(adminUrl: string, database: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function prepareTemplate(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${TEMPLATE}`);
    await client.query(`CREATE DATABASE ${TEMPLATE}`);
  } finally {
    await client.end();
  }
  await migrate(dbUrl(adminUrl, TEMPLATE));
}

export async function startEmbeddedCluster(root: string): Promise<Cluster> {
  const dir = path.join(root, 'embedded');
  fs.rmSync(dir, { recursive: true, force: true });
  const db = await startEmbeddedPostgres(dir);
  return { name: 'embedded', adminUrl: dbUrl(db.url, 'postgres'), stop: db.stop };
}

function which(cmd: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Returns null with the reason when this machine has no PostgreSQL server binaries. */
export async function startServerCluster(root: string, extraOptions = ''): Promise<Cluster | { skipped: string }> {
  const initdb = which('initdb');
  const pgCtl = which('pg_ctl');
  if (!initdb || !pgCtl) return { skipped: 'no initdb/pg_ctl on PATH: the PostgreSQL-server half of the suite was not run' };
  const dir = path.join(root, 'server');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const asRoot = os.userInfo().uid === 0;
  // PostgreSQL refuses to run as root: run its tools as the postgres user.
  const run = (cmd: string, args: string[]) =>
    asRoot ? execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe' }) : execFileSync(cmd, args, { stdio: 'pipe' });
  if (asRoot) execFileSync('chown', ['postgres:postgres', dir]);
  const data = path.join(dir, 'data');
  const password = 'kept-test';
  const pwfile = path.join(dir, 'pw');
  fs.writeFileSync(pwfile, password);
  if (asRoot) execFileSync('chown', ['postgres:postgres', pwfile]);
  run(initdb, ['-D', data, '-U', 'kept', '--pwfile', pwfile, '-A', 'scram-sha-256', '--encoding=UTF8', '--locale=C']);
  const port = await freePort();
  const opts = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=on -c max_connections=300 ${extraOptions}`;
  run(pgCtl, ['-D', data, '-o', opts, '-l', path.join(dir, 'log'), '-w', 'start']);
  return {
    name: 'server',
    adminUrl: `postgres://kept:${password}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      run(pgCtl, ['-D', data, '-m', 'fast', '-w', 'stop']);
    },
  };
}
