/**
 * Subscribers: features reacting to each other's events. Each subscriber has a cursor row;
 * a run locks it (FOR UPDATE SKIP LOCKED: one instance at a time per subscriber, the others
 * skip), reads the next events, runs the handler for each inside the same transaction and moves
 * the cursor. The handler's writes and the cursor commit together, so an event is handled
 * exactly once, across restarts, kill -9 and several instances.
 *
 * A handler that throws is rolled back to a savepoint and retried later with backoff; after
 * MAX_ATTEMPTS the event is set aside in event_failures and the stream goes on. One subscriber
 * failing never holds up another, nor the write that published the event.
 */
import { sql } from 'kysely';
import type { Ctx } from './context';
import { inTransaction } from './context';
import { writeLater } from './db/pipeline';
import { eventsBeyondHorizon, readStream, START, type StoredEvent } from './domain-events';
import type { Sweep } from './timers';

export interface Subscriber {
  /** Stable name: the cursor is stored under it. */
  name: string;
  /** Event types handled; everything else passes by. */
  types: readonly string[] | 'all';
  handle(ctx: Ctx, event: StoredEvent): Promise<void>;
  /**
   * Optional: a whole batch in a few statements (for subscribers that see every event). If it
   * throws, the batch is handled event by event instead, so one bad event is found and retried.
   */
  handleBatch?(ctx: Ctx, events: StoredEvent[]): Promise<void>;
}

const BATCH = 200;
export const MAX_ATTEMPTS = 5;
/** How long a run waits for an older transaction to finish before leaving the rest to the next beat. */
const HORIZON_WAIT_MS = 1500;

const backoffMs = (attempts: number) => Math.min(60_000, 1000 * 2 ** attempts);

async function ensureCursor(ctx: Ctx, name: string) {
  await ctx.db.insertInto('event_cursors').values({ subscriber: name }).onConflict((oc) => oc.column('subscriber').doNothing()).execute();
}

/**
 * One run of one subscriber: how many events it handled (or set aside). `waitForHorizon`: when
 * committed events wait only behind a transaction still running, wait for it (tests that move a
 * manual clock want every committed event handled before they look); a running server does not
 * wait, the next event's signal wakes it again.
 */
export async function runSubscriber(ctx: Ctx, sub: Subscriber, opts: { waitForHorizon: boolean } = { waitForHorizon: true }): Promise<number> {
  const types = sub.types === 'all' ? null : [...sub.types];
  const started = Date.now();
  for (;;) {
    const { handled, pending } = await runBatch(ctx, sub, types);
    if (handled > 0 || !pending || !opts.waitForHorizon || Date.now() - started > HORIZON_WAIT_MS) return handled;
    // Committed events wait behind a transaction that is still running: it ends in milliseconds.
    await new Promise((r) => setTimeout(r, 15));
  }
}

async function runBatch(ctx: Ctx, sub: Subscriber, types: string[] | null): Promise<{ handled: number; pending: boolean }> {
  return inTransaction({ ...ctx, actor: null }, async (tx) => {
    let cursor = await tx.db.selectFrom('event_cursors').selectAll().where('subscriber', '=', sub.name).forUpdate().skipLocked().executeTakeFirst();
    if (!cursor) {
      const exists = await tx.db.selectFrom('event_cursors').select('subscriber').where('subscriber', '=', sub.name).executeTakeFirst();
      if (exists) return { handled: 0, pending: false }; // another instance is running it right now
      await ensureCursor(tx, sub.name);
      cursor = await tx.db.selectFrom('event_cursors').selectAll().where('subscriber', '=', sub.name).forUpdate().executeTakeFirstOrThrow();
    }
    const now = tx.clock.now();
    if (cursor.retry_at && cursor.retry_at > now) return { handled: 0, pending: false };
    const position = { txId: String(cursor.last_tx_id), id: Number(cursor.last_id) };
    const events = await readStream(tx, position, { types, limit: BATCH });
    if (!events.length) return { handled: 0, pending: await eventsBeyondHorizon(tx, position, types) };

    let last = position;
    let attempts = cursor.attempts;
    let error: string | null = null;
    if (sub.handleBatch && await inSavepoint(tx, () => sub.handleBatch!(tx, events))) {
      const end = events[events.length - 1]!;
      await moveCursor(tx, sub.name, { txId: end.txId, id: end.id }, 0, null, null);
      return { handled: events.length, pending: false };
    }
    for (const event of events) {
      await savepoint(tx, 'kept_event');
      try {
        await sub.handle(tx, event);
        await sql`RELEASE SAVEPOINT kept_event`.execute(tx.db);
        attempts = 0;
      } catch (e) {
        await sql`ROLLBACK TO SAVEPOINT kept_event`.execute(tx.db);
        error = e instanceof Error ? e.message : String(e);
        attempts += 1;
        if (attempts < MAX_ATTEMPTS) break; // retry this event later; what came before is kept
        await tx.db.insertInto('event_failures').values({ subscriber: sub.name, event_id: event.id, error, failed_at: now })
          .onConflict((oc) => oc.columns(['subscriber', 'event_id']).doNothing()).execute();
        attempts = 0;
        error = null;
      }
      last = { txId: event.txId, id: event.id };
    }
    const handled = last === position ? 0 : events.findIndex((e) => e.id === last.id) + 1;
    await moveCursor(tx, sub.name, last, attempts, error ? new Date(now.getTime() + backoffMs(attempts)) : null, error);
    return { handled, pending: false };
  });
}

/**
 * Setting a savepoint needs no answer: it rides with the handler's first statement (core/db/pipeline),
 * still before it. Releasing one is awaited inside the try, so a handler's held-back write that
 * fails is caught there and rolled back to the savepoint, as before.
 */
async function savepoint(tx: Ctx, name: 'kept_event' | 'kept_batch') {
  const q = sql`SAVEPOINT ${sql.raw(name)}`;
  await writeLater(tx.db, { compile: () => q.compile(tx.db) });
}

async function inSavepoint(tx: Ctx, fn: () => Promise<void>): Promise<boolean> {
  await savepoint(tx, 'kept_batch');
  try {
    await fn();
    await sql`RELEASE SAVEPOINT kept_batch`.execute(tx.db);
    return true;
  } catch {
    await sql`ROLLBACK TO SAVEPOINT kept_batch`.execute(tx.db);
    return false;
  }
}

/** The cursor moves with the COMMIT, in the same round trip (core/db/pipeline). */
async function moveCursor(tx: Ctx, name: string, to: { txId: string; id: number }, attempts: number, retryAt: Date | null, error: string | null) {
  await writeLater(tx.db, tx.db.updateTable('event_cursors').set({
    last_tx_id: to.txId, last_id: to.id, attempts, retry_at: retryAt, last_error: error, updated_at: tx.clock.now(),
  }).where('subscriber', '=', name));
}

/** Each subscriber as a timer sweep, so they run on the same beat (and in tests on runDue). */
export function subscriberSweeps(subscribers: Subscriber[], opts: { waitForHorizon: boolean }): Record<string, Sweep> {
  return Object.fromEntries(subscribers.map((s) => [`subscriber:${s.name}`, (ctx: Ctx) => runSubscriber(ctx, s, opts)]));
}

export { START };
