/**
 * The database driver (src/core/db/pipeline): held-back writes travel with the next statement,
 * statements run often are prepared once per connection, and neither changes what a command
 * does or what it fails with.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { connect, type Db } from '../../src/core/db/connect';
import { writeLater } from '../../src/core/db/pipeline';
import { createTestDatabase, dropTestDatabase } from '../helpers/app';

describe('database driver: pipelined and prepared statements', () => {
  let url: string;
  let db: Db;
  let pool: ReturnType<typeof connect>['pool'];

  before(async () => {
    url = await createTestDatabase();
    ({ db, pool } = connect(url, 1)); // one connection: every statement below shares its prepared ones
    await sql`CREATE TABLE driver_notes (id int PRIMARY KEY, body text NOT NULL)`.execute(db);
  });
  after(async () => {
    await db.destroy();
    await dropTestDatabase(url);
  });

  const insert = (id: number, body: string) => sql`INSERT INTO driver_notes (id, body) VALUES (${id}, ${body})`;
  /** writeLater takes what a query builder gives: a query that compiles itself. */
  const later = (tx: Db, id: number, body: string) => writeLater(tx, { compile: () => insert(id, body).compile(tx) });
  const count = async () => Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM driver_notes`.execute(db)).rows[0]!.n);

  it('no statement is JIT-compiled: a big report is not made to wait for LLVM', async () => {
    const { rows } = await sql<{ jit: string }>`SELECT current_setting('jit') AS jit`.execute(db);
    assert.equal(rows[0]!.jit, 'off', 'the connection must start with JIT off');
    const plan = await db.transaction().execute(async (tx) => {
      await sql`SET LOCAL jit_above_cost = 0`.execute(tx);
      return (await sql<{ 'QUERY PLAN': string }>`EXPLAIN (ANALYZE, FORMAT TEXT) SELECT sum(g) FROM generate_series(1, 300000) g`.execute(tx)).rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    assert.doesNotMatch(plan, /JIT:/, `even a statement costed over jit_above_cost is not compiled (a server with LLVM would):\n${plan}`);
  });

  it('a held-back write that fails fails its command with its own error, and nothing of the command stays', async () => {
    await insert(1, 'first').execute(db);
    await assert.rejects(db.transaction().execute(async (tx) => {
      await later(tx, 2, 'second');
      await later(tx, 1, 'a duplicate');
      await sql`SELECT 1`.execute(tx);
    }), /duplicate key value violates unique constraint "driver_notes_pkey"/);
    assert.equal(await count(), 1);
    const { rows } = await sql<{ id: number }>`SELECT id FROM driver_notes ORDER BY id`.execute(db);
    assert.deepEqual(rows.map((r) => r.id), [1]);
  });

  it('held-back writes are in place for the statement that follows them and commit with it', async () => {
    const seen = await db.transaction().execute(async (tx) => {
      await later(tx, 10, 'ten');
      await later(tx, 11, 'eleven');
      return (await sql<{ n: number }>`SELECT count(*)::int AS n FROM driver_notes WHERE id >= 10`.execute(tx)).rows[0]!.n;
    });
    assert.equal(seen, 2);
    assert.equal(await count(), 3);
  });

  it('a statement run again and again is prepared once on the connection and answers with the rows of the moment', async () => {
    const byId = (id: number) => sql<{ body: string }>`SELECT body FROM driver_notes WHERE id = ${id}`.execute(db);
    for (let i = 0; i < 8; i++) assert.equal((await byId(10)).rows[0]?.body, 'ten');
    await sql`UPDATE driver_notes SET body = 'TEN' WHERE id = 10`.execute(db);
    assert.equal((await byId(10)).rows[0]?.body, 'TEN');
    assert.equal((await byId(99)).rows.length, 0);
    const prepared = await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements WHERE statement LIKE 'SELECT body FROM driver_notes%'`.execute(db);
    assert.equal(prepared.rows.length, 1, 'the select is prepared once');
  });

  it('a statement whose best plan depends on its values (a pattern, a range, a limit, a list) is planned for each run, never prepared', async () => {
    for (let i = 0; i < 8; i++) {
      await sql`SELECT id FROM driver_notes WHERE body ILIKE ${'%t%'}`.execute(db);
      await sql`SELECT id FROM driver_notes WHERE id >= ${i} ORDER BY id LIMIT ${5}`.execute(db);
      await sql`SELECT id FROM driver_notes WHERE id = ANY(${[1, 10]}::int[])`.execute(db);
    }
    const prepared = await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements WHERE statement LIKE '%driver_notes WHERE body ILIKE%'
      OR statement LIKE '%driver_notes WHERE id >=%' OR statement LIKE '%= ANY(%'`.execute(db);
    assert.deepEqual(prepared.rows, []);
  });

  it('a statement prepared elsewhere, twice in one round trip on a connection new to it, runs twice', async () => {
    const twin = (tx: Db, id: number) => writeLater(tx, { compile: () => sql`INSERT INTO driver_notes (id, body) SELECT ${id}, 'twin'`.compile(tx) });
    // Another connection runs it twice: the text has its name, prepared there but not here.
    const other = connect(url, 1);
    await other.db.transaction().execute(async (tx) => { await twin(tx, 30); await twin(tx, 31); });
    await other.db.destroy();
    for (let round = 1; round <= 2; round++) {
      await db.transaction().execute(async (tx) => { await twin(tx, 30 + round * 2); await twin(tx, 31 + round * 2); });
    }
    assert.equal(Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM driver_notes WHERE body = 'twin'`.execute(db)).rows[0]!.n), 6);
  });

  it('a prepared statement whose first run failed runs again without a clash of names', async () => {
    // A text not sent before: seen once (unnamed), then named, and that first named run fails, so
    // whether the server kept the prepared statement is unknown to the driver.
    const insertOther = (id: number, body: string) => sql`INSERT INTO driver_notes (body, id) VALUES (${body}, ${id})`;
    await insertOther(20, 'twenty').execute(db);
    await assert.rejects(insertOther(20, 'again').execute(db), /duplicate key/);
    await insertOther(21, 'twenty-one').execute(db);
    await insertOther(22, 'twenty-two').execute(db);
    const { rows } = await sql<{ id: number }>`SELECT id FROM driver_notes WHERE id BETWEEN 20 AND 29 ORDER BY id`.execute(db);
    assert.deepEqual(rows.map((r) => r.id), [20, 21, 22]);
  });

  it('a text of several commands without parameters runs as it did', async () => {
    await sql`UPDATE driver_notes SET body = 'x' WHERE id = 1; UPDATE driver_notes SET body = 'y' WHERE id = 11`.execute(db);
    const { rows } = await sql<{ body: string }>`SELECT body FROM driver_notes WHERE id IN (1, 11) ORDER BY id`.execute(db);
    assert.deepEqual(rows.map((r) => r.body), ['x', 'y']);
  });

  it('after a table changes shape, a statement prepared before fails once and then works on a fresh connection', async () => {
    const all = () => sql<Record<string, unknown>>`SELECT * FROM driver_notes WHERE id = 1`.execute(db);
    for (let i = 0; i < 3; i++) await all();
    await sql`ALTER TABLE driver_notes ADD COLUMN extra text`.execute(db);
    const outcome = await all().then((r) => r.rows[0], (e: Error) => e);
    if (outcome instanceof Error) assert.match(outcome.message, /cached plan must not change result type/);
    const { rows } = await all();
    assert.ok('extra' in rows[0]!, 'the new column is read');
    assert.ok(pool.totalCount <= 1);
  });
});
