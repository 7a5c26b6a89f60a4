/**
 * The demo year is written while the server already answers. Rules that make that safe:
 * - a `demo_seeding` row is written (and committed) before the server starts; while it is
 *   unfinished every app instance holds its timers, subscribers and workers, and refuses writes,
 *   because they run on today's clock and would break every promise of the simulated year at
 *   once, or answer its events with today's date. The seeder plays the year with its own manual
 *   clock and runs the timers and subscribers itself, as before;
 * - a start that finds the row unfinished knows the seeding was interrupted (the process that
 *   wrote it is gone) and starts again on a clean slate: half a year is never left as "the demo".
 */
import { sql } from 'kysely';
import type { Db } from '../core/db/connect';

export interface DemoStatus {
  seeding: boolean;
  done: number;
  total: number;
  phase: string | null;
}

export async function demoStatus(db: Db): Promise<DemoStatus> {
  const row = await db.selectFrom('demo_seeding').select(['finished_at', 'phase', 'done', 'total']).executeTakeFirst();
  if (!row) return { seeding: false, done: 0, total: 0, phase: null };
  return { seeding: row.finished_at === null, done: row.done, total: row.total, phase: row.finished_at ? 'done' : row.phase };
}

/** What a start with --demo finds: nothing yet, a finished demo, an interrupted one, or someone's own data. */
export async function demoState(db: Db): Promise<'empty' | 'finished' | 'interrupted' | 'not-empty'> {
  const row = await db.selectFrom('demo_seeding').select('finished_at').executeTakeFirst();
  if (row) return row.finished_at ? 'finished' : 'interrupted';
  const anyCase = await db.selectFrom('cases').select('id').limit(1).executeTakeFirst();
  return anyCase ? 'not-empty' : 'empty';
}

/** Marks the demo as being written: from this commit on, every instance holds its loops. */
export async function beginDemoSeeding(db: Db): Promise<void> {
  await db.insertInto('demo_seeding').values({ phase: 'starting', done: 0, total: 0 }).execute();
}

export async function recordDemoProgress(db: Db, progress: { phase: string; done: number; total: number }): Promise<void> {
  await db.updateTable('demo_seeding').set(progress).where('finished_at', 'is', null).execute();
}

export async function finishDemoSeeding(db: Db): Promise<void> {
  await db.updateTable('demo_seeding').set((eb) => ({ finished_at: sql<Date>`now()`, phase: 'done', done: eb.ref('total') })).execute();
}

/**
 * The clean slate after an interrupted seeding: the whole schema goes (the database was empty of
 * cases when the demo began, so only demo data and the first administrator are lost), and the
 * caller applies the migrations again.
 */
export async function dropEverything(db: Db): Promise<void> {
  await sql`DROP SCHEMA public CASCADE`.execute(db);
  await sql`CREATE SCHEMA public`.execute(db);
}

/**
 * "Is the demo being written?", asked at most once a second per instance: the timers ask on every
 * beat and the write guard on every write, and neither should cost a query each time.
 */
export function demoSeedingWatch(db: Db, everyMs = 1000): () => Promise<boolean> {
  let checkedAt = 0;
  let seeding = false;
  let pending: Promise<boolean> | null = null;
  return () => {
    if (Date.now() - checkedAt < everyMs) return Promise.resolve(seeding);
    pending ??= db.selectFrom('demo_seeding').select('id').where('finished_at', 'is', null).executeTakeFirst()
      .then((row) => { seeding = !!row; checkedAt = Date.now(); return seeding; })
      .catch(() => seeding) // a lost connection: keep the last answer, ask again on the next call
      .finally(() => { pending = null; });
    return pending;
  };
}
