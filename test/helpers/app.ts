/**
 * A running Kept for one test file: its own database cloned from the migrated template, a
 * manual clock the test moves, real HTTP on a free port. Timers fire when the test calls
 * runTimers() after moving the clock, through the same sweeps the server runs every second.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createKept, type Kept, type KeptOptions } from '../../src/app';
import { ManualClock } from '../../src/core/clock';
import { createStaff } from '../../src/staff';
import { dbUrl, TEMPLATE } from './clusters';
import { Api } from './api';

export const TARGET = process.env.KEPT_TEST_TARGET ?? 'embedded';

function adminUrl(): string {
  const url = process.env.KEPT_TEST_ADMIN_URL;
  if (!url) throw new Error('Run the tests with "npm test": it starts the databases the tests need');
  return url;
}

export async function createTestDatabase(): Promise<string> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE}`);
  } finally {
    await client.end();
  }
  return dbUrl(adminUrl(), name);
}

export async function dropTestDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

export interface TestKept {
  kept: Kept;
  clock: ManualClock;
  baseUrl: string;
  databaseUrl: string;
  /** An API client signed in as a new staff member with this role. */
  signedIn(role: 'agent' | 'lead' | 'manager' | 'admin' | 'executive', extra?: { name?: string; teamId?: number | null; departmentId?: number | null }): Promise<Api & { id: number }>;
  anonymous(): Api;
  runTimers(): Promise<number>;
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

const PASSWORD = 'correct horse battery';

export async function startKept(opts: { now?: string; mail?: KeptOptions['mail']; options?: Partial<KeptOptions> } = {}): Promise<TestKept> {
  const databaseUrl = await createTestDatabase();
  const clock = new ManualClock(opts.now ?? '2026-03-02T09:00:00Z');
  const kept = await createKept({ databaseUrl, clock, logLevel: 'silent', autoTimers: false, poolSize: 5, mail: opts.mail, webhooksAllowPrivate: true, ...opts.options });
  const address = await kept.http.listen({ port: 0, host: '127.0.0.1' });
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  let n = 0;
  return {
    kept,
    clock,
    baseUrl: address,
    databaseUrl,
    async signedIn(role, extra = {}) {
      n += 1;
      const email = `${role}${n}@example.test`;
      const staff = await createStaff(kept.ctx, {
        name: extra.name ?? `${role[0]!.toUpperCase()}${role.slice(1)} ${n}`, email, role, password: PASSWORD,
        teamId: extra.teamId ?? null, departmentId: extra.departmentId ?? null,
      });
      const api = new Api(address);
      await api.signIn(email, PASSWORD);
      return Object.assign(api, { id: staff.id });
    },
    anonymous: () => new Api(address),
    runTimers: () => kept.timers.runDue(),
    async sql(text, params) {
      return (await pool.query(text, params)).rows;
    },
    async close() {
      await pool.end();
      await kept.close();
      await dropTestDatabase(databaseUrl);
    },
  };
}
