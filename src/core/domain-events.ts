/**
 * The domain event stream. A service appends an event in the same transaction as its change, so
 * an event exists exactly when its change committed. Subscribers read the stream with a stored
 * cursor and process each event once, inside one transaction with their own effects.
 *
 * Order: events are read in (tx_id, id) order and only from transactions older than every
 * transaction still running (pg_snapshot_xmin). A transaction that took its id early but
 * commits late therefore cannot be skipped by a cursor that has moved past its id. Within one
 * case, transactions take the case's row lock before writing, so their ids follow commit order.
 */
import { sql } from 'kysely';
import type { Ctx } from './context';
import { actorId } from './context';
import { writeLater } from './db/pipeline';

export interface EventSubjects {
  caseId?: number | null;
  customerId?: number | null;
}

export interface NewEvent extends EventSubjects {
  type: string;
  payload: Record<string, unknown>;
  version?: number;
}

export interface StoredEvent {
  id: number;
  txId: string;
  type: string;
  version: number;
  occurredAt: Date;
  actorId: number | null;
  caseId: number | null;
  customerId: number | null;
  payload: Record<string, unknown>;
}

/** Appends events (one statement however many) to the stream, inside the caller's transaction, sent with its next statement or COMMIT. */
export async function appendEvents(ctx: Ctx, events: NewEvent[]): Promise<void> {
  if (!events.length) return;
  const now = ctx.clock.now();
  const actor = actorId(ctx);
  await writeLater(ctx.db, ctx.db.insertInto('domain_events').values(events.map((e) => ({
    type: e.type,
    version: e.version ?? 1,
    occurred_at: now,
    actor_id: actor,
    case_id: e.caseId ?? null,
    customer_id: e.customerId ?? null,
    payload: JSON.stringify(e.payload),
  }))));
}

export const eventColumns = ['domain_events.id', 'domain_events.tx_id as txId', 'domain_events.type', 'domain_events.version',
  'domain_events.occurred_at as occurredAt', 'domain_events.actor_id as actorId', 'domain_events.case_id as caseId',
  'domain_events.customer_id as customerId', 'domain_events.payload'] as const;

export interface StreamPosition { txId: string; id: number }

/**
 * Events after a position that no running transaction can still precede: a page of the stream
 * that will never change. `types` narrows it (null: every type).
 */
export async function readStream(ctx: Ctx, after: StreamPosition, opts: { types: string[] | null; limit: number; extra?: (q: StreamQuery) => StreamQuery }) {
  let q = baseStreamQuery(ctx)
    .where(sql<boolean>`(tx_id, id) > (${after.txId}::xid8, ${after.id}::bigint)`)
    .where(sql<boolean>`tx_id < pg_snapshot_xmin(pg_current_snapshot())`);
  if (opts.types) q = q.where('type', 'in', opts.types.length ? opts.types : ['-']);
  if (opts.extra) q = opts.extra(q);
  const rows = await q.orderBy('tx_id').orderBy('id').limit(opts.limit).execute();
  return rows.map((r) => ({ ...r, id: Number(r.id), txId: String(r.txId), actorId: r.actorId === null ? null : Number(r.actorId),
    caseId: r.caseId === null ? null : Number(r.caseId), customerId: r.customerId === null ? null : Number(r.customerId) })) as StoredEvent[];
}

function baseStreamQuery(ctx: Ctx) {
  return ctx.db.selectFrom('domain_events').select(eventColumns);
}
export type StreamQuery = ReturnType<typeof baseStreamQuery>;

/** Whether committed events wait past a position but are not yet safe to read (a running transaction is older). */
export async function eventsBeyondHorizon(ctx: Ctx, after: StreamPosition, types: string[] | null): Promise<boolean> {
  let q = ctx.db.selectFrom('domain_events').select('id')
    .where(sql<boolean>`(tx_id, id) > (${after.txId}::xid8, ${after.id}::bigint)`);
  if (types) q = q.where('type', 'in', types.length ? types : ['-']);
  return !!(await q.limit(1).executeTakeFirst());
}

/** A stream position as an opaque cursor for API clients. */
export function encodePosition(p: StreamPosition): string {
  return Buffer.from(`${p.txId}:${p.id}`).toString('base64url');
}

export function decodePosition(cursor: string | undefined): StreamPosition | null {
  if (!cursor) return null;
  const m = /^(\d{1,20}):(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString());
  return m ? { txId: m[1]!, id: Number(m[2]) } : null;
}

export const START: StreamPosition = { txId: '0', id: 0 };
