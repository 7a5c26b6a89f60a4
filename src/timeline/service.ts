/**
 * The case timeline tells the customer's story once: messages, replies, notes, phone calls, and
 * every hand-over, promise and standard event, in order. Other features write to it; nobody edits it.
 */
import { sql } from 'kysely';
import type { Ctx } from '../core/context';
import { actorId } from '../core/context';
import { writeLater } from '../core/db/pipeline';

export type EntryKind =
  | 'inbound_message' | 'outbound_reply' | 'internal_note' | 'phone_call'
  | 'case_opened' | 'status_changed' | 'case_updated' | 'case_taken' | 'case_routed'
  | 'handover_offered' | 'handover_accepted' | 'handover_declined' | 'handover_expired' | 'handover_withdrawn'
  | 'commitment_made' | 'commitment_kept' | 'commitment_renegotiated' | 'commitment_broken' | 'commitment_warning'
  | 'standard_met' | 'standard_missed' | 'customer_merged'
  | 'email_failed' | 'acknowledgement_sent' | 'automatic_message'
  | 'recovery_opened' | 'recovery_apology' | 'recovery_fix' | 'recovery_surprise' | 'recovery_follow_up'
  | 'survey_sent'
  | 'decision_made' | 'decision_requested' | 'decision_approved' | 'decision_declined' | 'decision_escalated'
  | 'repeat_flagged' | 'reply_viewed';

export async function addEntry(
  ctx: Ctx,
  caseId: number,
  kind: EntryKind,
  entry: { body?: string | null; data?: Record<string, unknown>; authorId?: number | null } = {},
) {
  return ctx.db
    .insertInto('case_entries')
    .values({
      case_id: caseId,
      kind,
      author_id: entry.authorId === undefined ? actorId(ctx) : entry.authorId,
      body: entry.body ?? null,
      data: JSON.stringify(entry.data ?? {}),
      created_at: ctx.clock.now(),
    })
    .returning(['id', 'case_id as caseId', 'kind', 'author_id as authorId', 'body', 'data', 'created_at as createdAt'])
    .executeTakeFirstOrThrow();
}

/**
 * The next entry id, taken in a statement the command sends anyway (the case's lock): with its
 * id known, the entry itself needs no answer and rides with the command's next statement.
 */
export const reserveEntryId = sql<number>`nextval(pg_get_serial_sequence('case_entries', 'id'))`;

/** An entry with an id from reserveEntryId: the same row and answer as addEntry, one round trip fewer. */
export async function addReservedEntry(
  ctx: Ctx,
  id: number,
  caseId: number,
  kind: EntryKind,
  entry: { body?: string | null; data?: Record<string, unknown>; authorId?: number | null } = {},
) {
  const row = {
    id,
    caseId,
    kind,
    authorId: entry.authorId === undefined ? actorId(ctx) : entry.authorId,
    body: entry.body ?? null,
    data: JSON.stringify(entry.data ?? {}),
    createdAt: ctx.clock.now(),
  };
  const insert = sql`INSERT INTO case_entries (id, case_id, kind, author_id, body, data, created_at) OVERRIDING SYSTEM VALUE
    VALUES (${id}, ${caseId}, ${kind}, ${row.authorId}, ${row.body}, ${row.data}, ${row.createdAt})`;
  await writeLater(ctx.db, { compile: () => insert.compile(ctx.db) });
  return { ...row, data: JSON.parse(row.data) as Record<string, unknown> }; // as stored: what JSON keeps
}

/** Several entries in one statement, in the order given; nothing is returned, so it rides with the next statement (core/db/pipeline). */
export async function addEntries(
  ctx: Ctx,
  caseId: number,
  entries: { kind: EntryKind; body?: string | null; data?: Record<string, unknown>; authorId?: number | null }[],
) {
  if (!entries.length) return;
  const now = ctx.clock.now();
  await writeLater(ctx.db, ctx.db
    .insertInto('case_entries')
    .values(entries.map((e) => ({
      case_id: caseId,
      kind: e.kind,
      author_id: e.authorId === undefined ? actorId(ctx) : e.authorId,
      body: e.body ?? null,
      data: JSON.stringify(e.data ?? {}),
      created_at: now,
    }))));
}

export async function caseTimeline(ctx: Ctx, caseId: number, opts: { afterId?: number; limit: number }) {
  let q = ctx.db
    .selectFrom('case_entries')
    .leftJoin('staff', 'staff.id', 'case_entries.author_id')
    .select(['case_entries.id', 'case_entries.kind', 'case_entries.author_id as authorId', 'staff.name as authorName',
      'case_entries.body', 'case_entries.data', 'case_entries.created_at as createdAt'])
    .where('case_entries.case_id', '=', caseId);
  if (opts.afterId) q = q.where('case_entries.id', '>', opts.afterId);
  return q.orderBy('case_entries.id').limit(opts.limit).execute();
}
