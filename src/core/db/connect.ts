import { Kysely } from 'kysely';
import pg from 'pg';
import type { Database } from './database';
import { PipelinedPostgresDialect } from './pipeline';

// bigint ids and counts fit comfortably in a JS number for this product's lifetime.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));
// Dates stay strings (YYYY-MM-DD): a holiday is a calendar day, not an instant.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export type Db = Kysely<Database>;

/**
 * `bulk` turns synchronous_commit off for this pool only: for generating demo data, where a
 * crash just means seeding again. Everything users do goes through durable pools.
 */
export function connect(url: string, max = 10, opts: { bulk?: boolean } = {}): { db: Db; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString: url, max, ...(opts.bulk ? { options: '-c synchronous_commit=off' } : {}) });
  pool.on('error', () => {}); // an idle client lost (e.g. server restart) is replaced on next use
  // No JIT: a PostgreSQL server built with LLVM compiles any statement costed over 100,000, and the
  // month's journey map spent more time being compiled than run (324 ms with it, 151 without, at
  // 1,000,000 cases). Sent as the connection's first statement, not as a startup option, which
  // connection poolers may refuse.
  pool.on('connect', (client) => { client.query('SET jit = off').catch(() => {}); });
  // Demo seeding is stopped by losing its database (the embedded one stops on the same signal):
  // a client lost between two queries would otherwise crash the process instead of failing its
  // next query, which ends the seeding unfinished (redone on the next start).
  if (opts.bulk) pool.on('connect', (client) => client.on('error', () => {}));
  return { db: new Kysely<Database>({ dialect: new PipelinedPostgresDialect(pool) }), pool };
}
