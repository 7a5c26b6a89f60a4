/**
 * Fewer round trips per command. On this kind of machine a write costs what its round trips to
 * PostgreSQL cost (each is a loopback send, a wake-up of the server and of Node), far more than
 * what the statements do. node-postgres sends one statement per round trip and waits for its
 * answer, so a command of ten statements paid for ten.
 *
 * Inside a transaction, this driver holds back what needs no answer — the BEGIN itself, and the
 * writes a service hands to `writeLater` (audit trail, timeline entries, domain events, the
 * case's updated_at) — and sends them in the same round trip as the next statement whose answer
 * is awaited, or as the COMMIT. Nothing is skipped or reordered: the server runs exactly the same
 * statements in exactly the same order, in the same transaction, with fsync and
 * synchronous_commit untouched. What changes is only when a held-back write's error is seen: at
 * the next statement instead of its own, which still fails and rolls back the whole command.
 *
 * Batched statements travel as one simple-protocol query, so their parameters are written into
 * the text as quoted literals (pg's own escaping, the same text pg would have sent as an untyped
 * parameter): PostgreSQL infers their types from the context exactly as it does for parameters.
 */
import { createRequire } from 'node:module';
import {
  CompiledQuery, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler,
  type DatabaseConnection, type Dialect, type Driver, type Kysely, type QueryResult, type TransactionSettings,
} from 'kysely';
import pg from 'pg';

const require = createRequire(import.meta.url);
const { prepareValue } = require('pg/lib/utils') as { prepareValue: (v: unknown) => unknown };

const heldBack = new WeakSet<CompiledQuery>();

/**
 * Runs a write whose result nobody reads. In a transaction it rides along with the next
 * statement (or the COMMIT); outside one it runs at once, as any statement does.
 */
export async function writeLater(db: Pick<Kysely<unknown>, 'isTransaction' | 'executeQuery'>, query: { compile(): CompiledQuery }): Promise<void> {
  const compiled = query.compile();
  if (db.isTransaction) heldBack.add(compiled);
  await db.executeQuery(compiled);
}

function literal(value: unknown): string {
  const v = prepareValue(value);
  if (v === null || v === undefined) return 'NULL';
  if (Buffer.isBuffer(v)) return `'\\x${v.toString('hex')}'`;
  return pg.escapeLiteral(String(v));
}

/** The statement with its parameters written in as literals ($10 before $1: the regex takes all digits). */
export function inline(q: CompiledQuery): string {
  if (!q.parameters.length) return q.sql;
  return q.sql.replace(/\$(\d+)/g, (_, n: string) => literal(q.parameters[Number(n) - 1]));
}

class PipelinedConnection implements DatabaseConnection {
  /** Statements written but not yet sent, in order. */
  private pending: string[] = [];
  /** Whether anything of the current transaction has reached the server. */
  private sent = false;
  private inTransaction = false;
  discarded = false;

  constructor(readonly client: pg.PoolClient) {}

  begin(sql: string) {
    this.inTransaction = true;
    this.sent = false;
    this.pending = [sql];
  }

  async end(sql: 'commit' | 'rollback'): Promise<QueryResult<unknown>> {
    this.inTransaction = false;
    if (sql === 'rollback' && !this.sent) {
      this.pending = []; // nothing reached the server: there is nothing to undo
      return { rows: [] };
    }
    return this.executeQuery(CompiledQuery.raw(sql));
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    if (this.inTransaction && heldBack.has(compiled)) {
      this.pending.push(inline(compiled));
      return { rows: [] };
    }
    // A savepoint still held back, released (or rolled back to) before anything else was written:
    // nothing happened inside it, so neither needs to reach the server (a subscriber with nothing
    // to do for an event costs no round trip).
    const savepoint = /^(?:RELEASE|ROLLBACK TO) SAVEPOINT (\w+)$/.exec(compiled.sql);
    if (savepoint && this.pending[this.pending.length - 1] === `SAVEPOINT ${savepoint[1]}`) {
      this.pending.pop();
      return { rows: [] };
    }
    let result: pg.QueryResult;
    if (this.pending.length) {
      const text = [...this.pending, inline(compiled)].join(';\n');
      this.pending = [];
      this.sent = true;
      const results = await this.client.query(text) as pg.QueryResult | pg.QueryResult[];
      result = Array.isArray(results) ? results[results.length - 1]! : results;
    } else {
      result = await this.client.query(compiled.sql, [...compiled.parameters]);
    }
    const { command, rowCount, rows } = result;
    if (command === 'ROLLBACK' || command === 'COMMIT') return { rows: [{ command }] as R[] };
    return {
      numAffectedRows: command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE' ? BigInt(rowCount ?? 0) : undefined,
      rows: (rows ?? []) as R[],
    };
  }

  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('Streaming is not used by Kept');
  }
}

class PipelinedDriver implements Driver {
  private readonly connections = new WeakMap<pg.PoolClient, PipelinedConnection>();

  constructor(private readonly pool: pg.Pool) {}

  async init() {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const client = await this.pool.connect();
    let c = this.connections.get(client);
    if (!c) {
      c = new PipelinedConnection(client);
      this.connections.set(client, c);
    }
    return c;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings) {
    let sql = 'begin';
    if (settings.isolationLevel || settings.accessMode) {
      sql = `start transaction${settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : ''}${settings.accessMode ? ` ${settings.accessMode}` : ''}`;
    }
    (connection as PipelinedConnection).begin(sql);
  }

  async commitTransaction(connection: DatabaseConnection) {
    const { rows } = await (connection as PipelinedConnection).end('commit');
    // PostgreSQL completes COMMIT with a ROLLBACK tag when an earlier error left the transaction aborted.
    if ((rows[0] as { command?: string } | undefined)?.command === 'ROLLBACK') throw new Error('The transaction was aborted by an earlier error and rolled back');
  }

  async rollbackTransaction(connection: DatabaseConnection) {
    try {
      await (connection as PipelinedConnection).end('rollback');
    } catch (e) {
      (connection as PipelinedConnection).discarded = true;
      throw e;
    }
  }

  async releaseConnection(connection: DatabaseConnection) {
    const c = connection as PipelinedConnection;
    c.client.release(c.discarded);
    if (c.discarded) this.connections.delete(c.client);
  }

  async destroy() {
    await this.pool.end();
  }
}

export class PipelinedPostgresDialect implements Dialect {
  constructor(private readonly pool: pg.Pool) {}
  createDriver() { return new PipelinedDriver(this.pool); }
  createQueryCompiler() { return new PostgresQueryCompiler(); }
  createAdapter() { return new PostgresAdapter(); }
  createIntrospector(db: Kysely<unknown>) { return new PostgresIntrospector(db); }
}
