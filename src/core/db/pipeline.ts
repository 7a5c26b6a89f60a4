/**
 * Fewer round trips and less planning per command. On this kind of machine a write costs what
 * its round trips to PostgreSQL cost (each is a loopback send, a wake-up of the server and of
 * Node), and a statement PostgreSQL parses and plans afresh each time costs more than running
 * it: the case screen's read planned for 1.2 ms and ran in 0.1.
 *
 * Inside a transaction, this driver holds back what needs no answer — the BEGIN itself, and the
 * writes a service hands to `writeLater` (audit trail, timeline entries, domain events, the
 * case's updated_at) — and sends them in the same round trip as the next statement whose answer
 * is awaited, or as the COMMIT: one pipeline of extended-protocol messages closed by one Sync.
 * Nothing is skipped or reordered: the server runs exactly the same statements in exactly the
 * same order, in the same transaction, with fsync and synchronous_commit untouched. What changes
 * is only when a held-back write's error is seen: at the next statement instead of its own, which
 * still fails and rolls back the whole command.
 *
 * A statement text seen more than once becomes a named prepared statement on each connection that
 * runs it (see statementName): PostgreSQL parses it once per connection, and after five runs keeps
 * a generic plan when that plan costs no more than planning each time would (its plan cache's own
 * rule), so the hot statements are neither parsed nor planned again.
 */
import { createRequire } from 'node:module';
import {
  CompiledQuery, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler,
  type DatabaseConnection, type Dialect, type Driver, type Kysely, type QueryResult, type TransactionSettings,
} from 'kysely';
import pg from 'pg';

const require = createRequire(import.meta.url);
const { prepareValue } = require('pg/lib/utils') as { prepareValue: (v: unknown) => unknown };
const Result = require('pg/lib/result') as new () => unknown;

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

/**
 * Prepared statements, by text: a text gets a name the second time it is seen (one seen once,
 * such as SQL with values written into it, never does), up to MAX_NAMED texts in all, which
 * bounds what each connection keeps prepared on the server. Multi-row inserts (many parameters,
 * a text per row count, cheap to plan) stay unnamed so they do not use up the names.
 *
 * Only statements whose values are all matched by equality get a name. A generic plan is made
 * without the values, so where the best plan depends on them — a range of dates, a LIMIT, a
 * pattern, a full-text query, a list of statuses that a partial index covers — PostgreSQL may
 * keep one that is right on average and wrong for the value at hand: after five runs, searching
 * for an order number at 20,000 cases went from 4–5 ms to 30–48 ms. Those are planned each time.
 */
const MAX_NAMED = 1000;
const MAX_PARAMETERS = 64;
const PLANNED_EACH_TIME = /\b(?:i?like|similar\s+to)\b|@@|\b(?:limit|offset|between)\s+\$\d|[<>]=?\s*\$\d|\bin\s*\(\s*\$\d|\bany\s*\(\s*\$\d/i;
const named = new Map<string, string>();
const seenOnce = new Set<string>();

function statementName(text: string, parameters: number): string | undefined {
  const name = named.get(text);
  if (name || named.size >= MAX_NAMED || parameters > MAX_PARAMETERS || text.length > 20_000) return name;
  if (parameters && PLANNED_EACH_TIME.test(text)) return undefined;
  if (!seenOnce.has(text)) {
    if (seenOnce.size >= 10_000) seenOnce.clear();
    seenOnce.add(text);
    return undefined;
  }
  seenOnce.delete(text);
  const fresh = `kept_${named.size + 1}`;
  named.set(text, fresh);
  return fresh;
}

interface Statement { text: string; values: readonly unknown[]; name?: string }

/** The parts of pg's Connection a pipeline writes to (pg/lib/connection.js). */
interface Wire {
  stream: { cork?(): void; uncork?(): void };
  parsedStatements: Record<string, string>;
  parse(m: { text: string; name: string; types: number[] }): void;
  bind(m: { portal: string; statement: string; values: readonly unknown[]; binary: boolean; valueMapper: (v: unknown) => unknown }): void;
  describe(m: { type: 'P'; name: string }): void;
  execute(m: { portal: string; rows: number }): void;
  close(m: { type: 'S'; name: string }): void;
  sync(): void;
  sendCopyFail(message: string): void;
}

interface PgResult { command: string | null; rowCount: number | null; rows: unknown[]; addFields(f: unknown): void; parseRow(f: unknown): unknown; addRow(r: unknown): void; addCommandComplete(m: unknown): void }

/**
 * Names whose Parse was sent in a pipeline that failed at that very statement: the server may or
 * may not have prepared them, so the next Parse of such a name is preceded by a Close (closing a
 * statement that does not exist is no error).
 */
const unsure = new WeakMap<Wire, Set<string>>();

/**
 * Statements sent together (pg's "submittable" query interface): for each, Parse unless this
 * connection has it prepared, Bind, Describe and Execute; then one Sync. The answers come back in
 * order; the result is the last statement's. A failing statement fails the whole pipeline and
 * the server skips the rest, as a transaction's later statements would fail anyway.
 */
class Pipeline {
  callback?: (err: Error | null, result?: PgResult) => void;
  private readonly results: PgResult[];
  private index = 0;
  private parsing: (string | null)[] = [];

  constructor(readonly statements: Statement[]) {
    this.results = statements.map(() => new Result() as PgResult);
  }

  submit(connection: Wire): null {
    const maybe = unsure.get(connection);
    connection.stream.cork?.();
    try {
      const parsedHere = new Set<string>();
      for (const st of this.statements) {
        const name = st.name ?? '';
        // A name is parsed once per connection, also when it comes twice in one pipeline.
        const parse = !name || (connection.parsedStatements[name] === undefined && !parsedHere.has(name));
        if (parse) {
          if (name && maybe?.delete(name)) connection.close({ type: 'S', name });
          connection.parse({ text: st.text, name, types: [] });
          if (name) parsedHere.add(name);
        }
        this.parsing.push(parse && name ? name : null);
        connection.bind({ portal: '', statement: name, values: st.values, binary: false, valueMapper: prepareValue });
        connection.describe({ type: 'P', name: '' });
        connection.execute({ portal: '', rows: 0 });
      }
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
    return null;
  }

  handleRowDescription(msg: { fields: unknown }) { this.results[this.index]!.addFields(msg.fields); }
  handleDataRow(msg: { fields: unknown }) {
    const result = this.results[this.index]!;
    result.addRow(result.parseRow(msg.fields));
  }
  handleCommandComplete(msg: unknown) { this.results[this.index++]!.addCommandComplete(msg); }
  handleEmptyQuery() { this.index += 1; }
  handlePortalSuspended() {}
  handleCopyInResponse(connection: Wire) { connection.sendCopyFail('COPY is not sent through the pipeline'); }
  handleCopyData() {}

  /** What the server has prepared once the pipeline is over: the statements that completed. */
  private settle(connection: Wire, failedAt: number | null) {
    this.parsing.forEach((name, i) => {
      if (!name) return;
      if (failedAt === null || i < failedAt) connection.parsedStatements[name] = this.statements[i]!.text;
      else if (i === failedAt) {
        if (!unsure.has(connection)) unsure.set(connection, new Set());
        unsure.get(connection)!.add(name);
      }
    });
  }

  handleError(err: Error, connection: Wire) {
    this.settle(connection, this.index);
    this.callback?.(err);
  }

  handleReadyForQuery(connection: Wire) {
    this.settle(connection, null);
    this.callback?.(null, this.results[this.results.length - 1]);
  }
}

function send(client: pg.PoolClient, statements: Statement[]): Promise<PgResult> {
  return new Promise((resolve, reject) => {
    const pipeline = new Pipeline(statements);
    pipeline.callback = (err, result) => (err ? reject(err) : resolve(result!));
    client.query(pipeline as unknown as pg.QueryConfig);
  });
}

const statement = (q: CompiledQuery): Statement => ({ text: q.sql, values: q.parameters, name: statementName(q.sql, q.parameters.length) });

class PipelinedConnection implements DatabaseConnection {
  /** Statements written but not yet sent, in order. */
  private pending: Statement[] = [];
  /** Whether anything of the current transaction has reached the server. */
  private sent = false;
  private inTransaction = false;
  discarded = false;

  constructor(readonly client: pg.PoolClient) {}

  begin(sql: string) {
    this.inTransaction = true;
    this.sent = false;
    this.pending = [{ text: sql, values: [], name: statementName(sql, 0) }];
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
      this.pending.push(statement(compiled));
      return { rows: [] };
    }
    // A savepoint still held back, released (or rolled back to) before anything else was written:
    // nothing happened inside it, so neither needs to reach the server (a subscriber with nothing
    // to do for an event costs no round trip).
    const savepoint = /^(?:RELEASE|ROLLBACK TO) SAVEPOINT (\w+)$/.exec(compiled.sql);
    if (savepoint && this.pending[this.pending.length - 1]?.text === `SAVEPOINT ${savepoint[1]}`) {
      this.pending.pop();
      return { rows: [] };
    }
    let result: PgResult;
    try {
      if (!compiled.parameters.length && compiled.sql.includes(';')) {
        // Several commands in one text can only go as a simple query, which takes no parameters.
        if (this.pending.length) await this.flush([]);
        result = await this.client.query(compiled.sql) as unknown as PgResult;
      } else {
        result = await this.flush([statement(compiled)]);
      }
    } catch (e) {
      // After a migration changed a table, a statement prepared before it may no longer fit: this
      // connection's prepared statements are dropped with it.
      if ((e as { code?: string }).code === '0A000' && /cached plan/.test(String((e as Error).message))) this.discarded = true;
      throw e;
    }
    const { command, rowCount, rows } = result;
    if (command === 'ROLLBACK' || command === 'COMMIT') return { rows: [{ command }] as R[] };
    return {
      numAffectedRows: command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE' ? BigInt(rowCount ?? 0) : undefined,
      rows: (rows ?? []) as R[],
    };
  }

  /** Sends what is held back, then `statements`, in one round trip; the answer is the last one's. */
  private flush(statements: Statement[]): Promise<PgResult> {
    const all = [...this.pending, ...statements];
    this.pending = [];
    if (this.inTransaction) this.sent = true;
    return send(this.client, all);
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
