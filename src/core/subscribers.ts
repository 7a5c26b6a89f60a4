/**
 * Subscribers: features reacting to each other's events. Each subscriber has a cursor row; the
 * handler's writes and the cursor's move commit together, so an event is handled exactly once,
 * across restarts, kill -9 and several instances.
 *
 * One dispatcher runs them all. A run is one transaction: one statement locks every due cursor
 * (FOR UPDATE SKIP LOCKED: another instance running a subscriber right now keeps it, this one
 * skips it) and reads one page of the stream from the earliest of them; each subscriber's
 * handler then sees its own events of that page, each event inside a savepoint; and every cursor
 * moves in one statement sent with the COMMIT. So a write followed by a dozen subscribers costs
 * two round trips plus what the handlers themselves do, not five to eight per subscriber, and
 * under load one run handles the events of many requests (wake-ups that arrive while a run is in
 * flight make one more run, see core/timers.kick).
 *
 * A handler that throws is rolled back to its savepoint and retried later with backoff; after
 * MAX_ATTEMPTS the event is set aside in event_failures and the stream goes on. One subscriber
 * failing never holds up another (its cursor stays, the others' move), nor the write that
 * published the event.
 */
import { CompiledQuery, sql } from 'kysely';
import type { Ctx } from './context';
import { inTransaction } from './context';
import { writeLater } from './db/pipeline';
import { eventsBeyondHorizon, START, type StoredEvent, type StreamPosition } from './domain-events';
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
/**
 * How long a run waits for an older transaction to finish before leaving the rest to the next beat
 * (only where asked to: tests on a manual clock). The horizon is the whole cluster's, so on a
 * loaded machine another database's transaction may hold it for seconds; one wait now serves
 * every subscriber (it used to be 1.5 s for each of them in turn).
 */
const HORIZON_WAIT_MS = 5000;

const backoffMs = (attempts: number) => Math.min(60_000, 1000 * 2 ** attempts);

interface Cursor { subscriber: string; txId: string; id: number; attempts: number }
interface CursorMove { name: string; to: StreamPosition; attempts: number; retryAt: Date | null; error: string | null }

/**
 * One run of one subscriber (tests, the seeder): how many events it handled (or set aside).
 * `waitForHorizon`: when committed events wait only behind a transaction still running, wait for
 * it (tests that move a manual clock want every committed event handled before they look); a
 * running server does not wait, the next event's signal wakes it again.
 */
export async function runSubscriber(ctx: Ctx, sub: Subscriber, opts: { waitForHorizon: boolean } = { waitForHorizon: true }): Promise<number> {
  return runSubscribers(ctx, [sub], opts);
}

/** One run of all the given subscribers together: how many events they handled (or set aside), summed. */
export async function runSubscribers(ctx: Ctx, subs: Subscriber[], opts: { waitForHorizon: boolean } = { waitForHorizon: true }): Promise<number> {
  if (!subs.length) return 0;
  const types = subs.some((s) => s.types === 'all') ? null : [...new Set(subs.flatMap((s) => s.types as readonly string[]))];
  const started = Date.now();
  for (;;) {
    const { handled, more, pending } = await dispatch(ctx, subs, types, opts.waitForHorizon);
    if (handled > 0) return handled;
    if (more) continue; // a full page nobody due wanted (its subscribers are busy elsewhere or waiting to retry): read on
    if (!pending || !opts.waitForHorizon || Date.now() - started > HORIZON_WAIT_MS) return 0;
    // Committed events wait behind a transaction that is still running: it ends in milliseconds.
    await new Promise((r) => setTimeout(r, 15));
  }
}

const after = (e: { txId: string; id: number }, p: StreamPosition) => {
  const a = BigInt(e.txId);
  const b = BigInt(p.txId);
  return a > b || (a === b && e.id > p.id);
};

async function dispatch(ctx: Ctx, subs: Subscriber[], types: string[] | null, checkHorizon: boolean) {
  return inTransaction({ ...ctx, actor: null }, async (tx) => {
    const now = tx.clock.now();
    const names = subs.map((s) => s.name);
    let page = await lockAndRead(tx, names, types, now);
    const missing = names.filter((n) => !page.known.includes(n));
    if (missing.length) {
      // First run of a subscriber: its cursor starts at the beginning of the stream.
      await tx.db.insertInto('event_cursors').values(missing.map((subscriber) => ({ subscriber })))
        .onConflict((oc) => oc.column('subscriber').doNothing()).execute();
      page = await lockAndRead(tx, names, types, now);
    }
    const { cursors, events } = page;
    if (!events.length) {
      const pending = checkHorizon && cursors.length > 0 && await eventsBeyondHorizon(tx, cursors.reduce((a, c) => (after(a, c) ? c : a)), types);
      return { handled: 0, more: false, pending };
    }
    const end = events[events.length - 1]!;
    let handled = 0;
    const moves: CursorMove[] = [];
    for (const cursor of cursors) {
      const sub = subs.find((s) => s.name === cursor.subscriber)!;
      const position = { txId: cursor.txId, id: cursor.id };
      if (!after(end, position)) continue; // already past this page
      const own = events.filter((e) => after(e, position) && (sub.types === 'all' || sub.types.includes(e.type)));
      const result = await runHandler(tx, sub, cursor, own, now);
      handled += result.handled;
      // Every event of the page up to where it stopped was its own or of no interest to it.
      moves.push({ name: sub.name, to: result.stoppedAt ?? end, attempts: result.attempts, retryAt: result.retryAt, error: result.error });
    }
    await moveCursors(tx, moves, now);
    return { handled, more: events.length === BATCH, pending: false };
  });
}

/**
 * One subscriber's events of the page, inside the shared transaction. `stoppedAt`: where its
 * cursor stays because an event failed and will be retried (null: it went through the page).
 *
 * First all of them inside one savepoint (one awaited RELEASE for the lot, not one per event);
 * only if that fails, event by event as before, each in a savepoint of its own, so the failing
 * event is found, the ones before it are kept, and a held-back write's error is blamed on the
 * event that made it. The failing handler is not called twice in one run: when the events before
 * it go through on their own, its first error counts as its attempt.
 */
async function runHandler(tx: Ctx, sub: Subscriber, cursor: Cursor, events: StoredEvent[], now: Date) {
  let attempts = cursor.attempts;
  let error: string | null = null;
  let stoppedAt: StreamPosition | null = null;
  let handled = 0;
  if (!events.length) return { handled, attempts, retryAt: null, error, stoppedAt };
  const together = await inSavepoint(tx, sub.handleBatch ? () => sub.handleBatch!(tx, events) : async (progress) => {
    for (let i = 0; i < events.length; i += 1) {
      progress.at = i;
      await sub.handle(tx, events[i]!);
    }
    progress.at = -1; // every call returned: a failure now is the RELEASE's, from a held-back write
  });
  if (together.ok) return { handled: events.length, attempts: 0, retryAt: null, error: null, stoppedAt };
  const blamed = sub.handleBatch ? -1 : together.at;

  let last: StreamPosition = { txId: cursor.txId, id: cursor.id };
  for (let i = 0; i < events.length; i += 1) {
    const event = events[i]!;
    let failed = i === blamed;
    let failure: unknown = together.ok ? null : together.error;
    if (!failed) {
      await savepoint(tx, 'kept_event');
      try {
        await sub.handle(tx, event);
        await sql`RELEASE SAVEPOINT kept_event`.execute(tx.db);
        attempts = 0;
      } catch (e) {
        await sql`ROLLBACK TO SAVEPOINT kept_event`.execute(tx.db);
        failed = true;
        failure = e;
      }
    }
    if (failed) {
      error = failure instanceof Error ? failure.message : String(failure);
      attempts += 1;
      if (attempts < MAX_ATTEMPTS) {
        stoppedAt = last; // retry this event later; what came before is kept
        break;
      }
      await writeLater(tx.db, tx.db.insertInto('event_failures').values({ subscriber: sub.name, event_id: event.id, error, failed_at: now })
        .onConflict((oc) => oc.columns(['subscriber', 'event_id']).doNothing()));
      attempts = 0;
      error = null;
    }
    handled += 1;
    last = { txId: event.txId, id: event.id };
  }
  return { handled, attempts, retryAt: error ? new Date(now.getTime() + backoffMs(attempts)) : null, error, stoppedAt };
}

/**
 * In one statement (sent with the BEGIN): the due cursors of these subscribers, locked; which of
 * them exist at all; and one page of the stream after the earliest locked cursor, of the types any
 * of them handles, from transactions older than every one still running (core/domain-events).
 */
async function lockAndRead(tx: Ctx, names: string[], types: string[] | null, now: Date) {
  const typeFilter = types ? sql`AND d.type = ANY(${types.length ? types : ['-']}::text[])` : sql``;
  const { rows: [row] } = await sql<{ cursors: { subscriber: string; txId: string; id: string | number; attempts: number }[]; known: string[]; events: RawEvent[] }>`
    WITH due AS (
      SELECT subscriber, last_tx_id, last_id, attempts FROM event_cursors
      WHERE subscriber = ANY(${names}::text[]) AND (retry_at IS NULL OR retry_at <= ${now})
      FOR UPDATE SKIP LOCKED
    ), page AS (
      SELECT d.id, d.tx_id::text AS "txId", d.type, d.version, d.occurred_at AS "occurredAt", d.actor_id AS "actorId",
             d.case_id AS "caseId", d.customer_id AS "customerId", d.payload
      FROM domain_events d
      WHERE (d.tx_id, d.id) > (SELECT last_tx_id, last_id FROM due ORDER BY last_tx_id, last_id LIMIT 1)
        AND d.tx_id < pg_snapshot_xmin(pg_current_snapshot()) ${typeFilter}
      ORDER BY d.tx_id, d.id LIMIT ${BATCH}
    )
    SELECT
      (SELECT coalesce(json_agg(json_build_object('subscriber', subscriber, 'txId', last_tx_id::text, 'id', last_id, 'attempts', attempts)), '[]') FROM due) AS cursors,
      (SELECT coalesce(array_agg(subscriber), '{}') FROM event_cursors WHERE subscriber = ANY(${names}::text[])) AS known,
      (SELECT coalesce(json_agg(page), '[]') FROM page) AS events`.execute(tx.db);
  return {
    cursors: row!.cursors.map((c) => ({ ...c, id: Number(c.id) })) as Cursor[],
    known: row!.known,
    events: row!.events.map(toStoredEvent).sort(streamOrder),
  };
}

interface RawEvent { id: number; txId: string; type: string; version: number; occurredAt: string; actorId: number | null; caseId: number | null; customerId: number | null; payload: Record<string, unknown> }

const streamOrder = (a: StoredEvent, b: StoredEvent) => (after(a, b) ? 1 : after(b, a) ? -1 : 0);

const toStoredEvent = (e: RawEvent): StoredEvent => ({ ...e, id: Number(e.id), occurredAt: new Date(e.occurredAt) });

/**
 * Setting a savepoint needs no answer: it rides with the handler's first statement (core/db/pipeline),
 * still before it. Releasing one is awaited inside the try, so a handler's held-back write that
 * fails is caught there and rolled back to the savepoint, as before.
 */
async function savepoint(tx: Ctx, name: 'kept_event' | 'kept_batch') {
  await writeLater(tx.db, { compile: () => CompiledQuery.raw(`SAVEPOINT ${name}`) });
}

async function inSavepoint(tx: Ctx, fn: (progress: { at: number }) => Promise<void>): Promise<{ ok: true } | { ok: false; at: number; error: unknown }> {
  const progress = { at: -1 };
  await savepoint(tx, 'kept_batch');
  try {
    await fn(progress);
    await sql`RELEASE SAVEPOINT kept_batch`.execute(tx.db);
    return { ok: true };
  } catch (error) {
    await sql`ROLLBACK TO SAVEPOINT kept_batch`.execute(tx.db);
    return { ok: false, at: progress.at, error };
  }
}

/** Every cursor of the run moves in one statement, sent with the COMMIT (core/db/pipeline). */
async function moveCursors(tx: Ctx, moves: CursorMove[], now: Date) {
  if (!moves.length) return;
  await writeLater(tx.db, { compile: () => sql`
    UPDATE event_cursors c SET last_tx_id = m.tx_id::xid8, last_id = m.id, attempts = m.attempts, retry_at = m.retry_at,
      last_error = m.error, updated_at = ${now}
    FROM unnest(${moves.map((m) => m.name)}::text[], ${moves.map((m) => m.to.txId)}::text[], ${moves.map((m) => m.to.id)}::bigint[],
      ${moves.map((m) => m.attempts)}::int[], ${moves.map((m) => m.retryAt)}::timestamptz[], ${moves.map((m) => m.error)}::text[])
      AS m(name, tx_id, id, attempts, retry_at, error)
    WHERE c.subscriber = m.name`.compile(tx.db) });
}

/** All subscribers as one timer sweep (one dispatcher run for all), on the same beat as timers and in tests on runDue. */
export function subscriberSweeps(subscribers: Subscriber[], opts: { waitForHorizon: boolean }): Record<string, Sweep> {
  return subscribers.length ? { subscribers: (ctx: Ctx) => runSubscribers(ctx, subscribers, opts) } : {};
}

export { START };
