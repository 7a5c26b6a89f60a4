/**
 * Your word is your honour. A promise to a customer is a commitment with an owner and a due
 * time. The owner is warned before it falls due; a promise that cannot be kept is renegotiated
 * with the customer told, before it breaks; at its due time an open promise is broken.
 * Service standards are the organisation's own commitments and break the same way.
 * Promises are made, kept and moved by whoever may change the case (core/authority.ts) or by
 * the person who owns the promise.
 */
import { sql } from 'kysely';
import type { Ctx } from '../core/context';
import { inTransaction } from '../core/context';
import { staffActor } from '../core/access';
import { requireCaseAuthority } from '../core/authority';
import { Conflict, Forbidden, Invalid, NotFound } from '../core/errors';
import { recordAudit } from '../audit';
import { addEntry } from '../timeline';
import { notify } from '../notifications';
import { publish } from '../events';
import { getSettings } from '../org';
import { LIVE_STATUSES, type CommitmentKind } from './schema';

export const commitmentColumns = ['commitments.id', 'commitments.case_id as caseId', 'commitments.customer_id as customerId',
  'commitments.kind', 'commitments.text', 'commitments.owner_id as ownerId', 'commitments.team_id as teamId',
  'commitments.department_id as departmentId', 'commitments.status', 'commitments.due_at as dueAt',
  'commitments.warn_at as warnAt', 'commitments.warned_at as warnedAt', 'commitments.paused_at as pausedAt',
  'commitments.renegotiation_count as renegotiationCount', 'commitments.created_at as createdAt',
  'commitments.kept_at as keptAt', 'commitments.broken_at as brokenAt'] as const;

export async function getCommitment(ctx: Ctx, id: number) {
  const row = await ctx.db.selectFrom('commitments').select(commitmentColumns).where('commitments.id', '=', id).executeTakeFirst();
  if (!row) throw new NotFound('Commitment', id);
  return row;
}

async function lockLive(ctx: Ctx, id: number) {
  const row = await ctx.db.selectFrom('commitments').select(commitmentColumns).where('commitments.id', '=', id).forNoKeyUpdate().executeTakeFirst();
  if (!row) throw new NotFound('Commitment', id);
  if (!LIVE_STATUSES.includes(row.status)) throw new Conflict(`Commitment ${id} is already ${row.status}`);
  return row;
}

/** The promise's owner, or whoever may change its case. */
async function requirePromiseAuthority(ctx: Ctx, c: { caseId: number | null; ownerId: number | null }, doing: string) {
  const me = staffActor(ctx);
  if (c.caseId) await requireCaseAuthority(ctx, c.caseId, doing, { staffId: c.ownerId, who: 'the owner of the promise' });
  else if (c.ownerId !== me.id && me.role !== 'manager' && me.role !== 'admin') throw new Forbidden(`Only the owner of the promise, a manager or an admin may ${doing}`);
}

function warnAt(due: Date, warningMinutes: number): Date {
  return new Date(due.getTime() - warningMinutes * 60_000);
}

/** The case and customer a commitment's events are about. */
export const subjectsOf = (c: { caseId: number | null; customerId: number | null }) => ({ caseId: c.caseId, customerId: c.customerId });

export async function makeCommitment(
  ctx: Ctx,
  // Without a case (and customer) it is an internal promise, e.g. a loyalty-input action: its
  // caller decides who may make it.
  input: { caseId: number | null; customerId: number | null; text: string; dueAt: Date; ownerId?: number },
) {
  const me = staffActor(ctx);
  const now = ctx.clock.now();
  if (input.dueAt <= now) throw new Invalid('body.dueAt', 'future', 'A promise must fall due in the future');
  return inTransaction(ctx, async (tx) => {
    if (input.caseId) await requireCaseAuthority(tx, input.caseId, 'make a promise');
    const ownerId = input.ownerId ?? me.id;
    const owner = await tx.db.selectFrom('staff').select(['id', 'team_id', 'department_id', 'active']).where('id', '=', ownerId).executeTakeFirst();
    if (!owner || !owner.active) throw new Invalid('body.ownerId', 'exists', `Staff member ${ownerId} does not exist or is not active`);
    const { commitmentWarningMinutes } = await getSettings(tx);
    const row = await tx.db
      .insertInto('commitments')
      .values({
        case_id: input.caseId,
        customer_id: input.customerId,
        kind: 'promise',
        text: input.text,
        owner_id: owner.id,
        team_id: owner.team_id,
        department_id: owner.department_id,
        due_at: input.dueAt,
        warn_at: warnAt(input.dueAt, commitmentWarningMinutes),
        created_by_id: me.id,
        created_at: now,
      })
      .returning(commitmentColumns)
      .executeTakeFirstOrThrow();
    if (input.caseId) await addEntry(tx, input.caseId, 'commitment_made', { body: input.text, data: { commitmentId: row.id, ownerId: owner.id, dueAt: input.dueAt } });
    await recordAudit(tx, 'commitment', row.id, 'make', null, row);
    if (owner.id !== me.id) await notify(tx, owner.id, 'commitment_assigned', `${me.name} made a promise for you to keep: ${input.text}`, input.caseId);
    await publish(tx, 'commitment.made', subjectsOf(row), { commitment: row });
    return row;
  });
}

export async function keepCommitment(ctx: Ctx, id: number, note?: string) {
  staffActor(ctx);
  return inTransaction(ctx, async (tx) => {
    const before = await lockLive(tx, id);
    await requirePromiseAuthority(tx, before, 'keep a promise');
    if (before.kind !== 'promise') throw new Conflict('A service standard is kept by replying to or resolving the case');
    const row = await tx.db
      .updateTable('commitments')
      .set({ status: 'kept', kept_at: tx.clock.now() })
      .where('id', '=', id)
      .returning(commitmentColumns)
      .executeTakeFirstOrThrow();
    if (row.caseId) await addEntry(tx, row.caseId, 'commitment_kept', { body: note ?? null, data: { commitmentId: id, text: row.text } });
    await recordAudit(tx, 'commitment', id, 'keep', { status: before.status }, { status: 'kept' });
    await publish(tx, 'commitment.kept', subjectsOf(row), { commitment: row, note: note ?? null });
    return row;
  });
}

/** A promise moves only with the customer told: the rule is that nobody breaks their word silently. */
export async function renegotiateCommitment(
  ctx: Ctx,
  id: number,
  input: { newDueAt: Date; customerToldHow: string; customerToldAt?: Date; note?: string },
) {
  const me = staffActor(ctx);
  const now = ctx.clock.now();
  if (input.newDueAt <= now) throw new Invalid('body.newDueAt', 'future', 'The new due time must be in the future');
  return inTransaction(ctx, async (tx) => {
    const before = await lockLive(tx, id);
    await requirePromiseAuthority(tx, before, 'renegotiate a promise');
    if (before.kind !== 'promise') throw new Conflict('Service standards are not renegotiated; they pause while waiting on the customer');
    const { commitmentWarningMinutes } = await getSettings(tx);
    await tx.db
      .insertInto('commitment_renegotiations')
      .values({
        commitment_id: id,
        previous_due_at: before.dueAt,
        new_due_at: input.newDueAt,
        customer_told_how: input.customerToldHow,
        customer_told_at: input.customerToldAt ?? now,
        note: input.note ?? null,
        by_id: me.id,
        created_at: now,
      })
      .execute();
    const row = await tx.db
      .updateTable('commitments')
      .set((eb) => ({
        status: 'renegotiated',
        due_at: input.newDueAt,
        warn_at: warnAt(input.newDueAt, commitmentWarningMinutes),
        warned_at: null,
        renegotiation_count: eb('renegotiation_count', '+', 1),
      }))
      .where('id', '=', id)
      .returning(commitmentColumns)
      .executeTakeFirstOrThrow();
    if (row.caseId) {
      await addEntry(tx, row.caseId, 'commitment_renegotiated', {
        body: input.note ?? null,
        data: { commitmentId: id, previousDueAt: before.dueAt, newDueAt: input.newDueAt, customerToldHow: input.customerToldHow },
      });
    }
    await recordAudit(tx, 'commitment', id, 'renegotiate', { status: before.status, dueAt: before.dueAt }, { status: row.status, dueAt: row.dueAt });
    await publish(tx, 'commitment.renegotiated', subjectsOf(row), {
      commitment: row, previousDueAt: before.dueAt, newDueAt: row.dueAt, customerToldHow: input.customerToldHow, note: input.note ?? null,
    });
    return row;
  });
}

export async function renegotiationsOf(ctx: Ctx, id: number) {
  return ctx.db
    .selectFrom('commitment_renegotiations')
    .select(['id', 'previous_due_at as previousDueAt', 'new_due_at as newDueAt', 'customer_told_how as customerToldHow',
      'customer_told_at as customerToldAt', 'note', 'by_id as byId', 'created_at as createdAt'])
    .where('commitment_id', '=', id)
    .orderBy('id')
    .execute();
}

export interface CommitmentFilter {
  ownerId?: number;
  caseId?: number;
  status?: string[];
  kind?: CommitmentKind;
  dueBefore?: Date;
  limit: number;
  afterId?: number | null;
}

export async function listCommitments(ctx: Ctx, f: CommitmentFilter) {
  let q = ctx.db.selectFrom('commitments').select(commitmentColumns);
  if (f.ownerId) q = q.where('commitments.owner_id', '=', f.ownerId);
  if (f.caseId) q = q.where('commitments.case_id', '=', f.caseId);
  if (f.status?.length) q = q.where('commitments.status', 'in', f.status as never);
  if (f.kind) q = q.where('commitments.kind', '=', f.kind);
  if (f.dueBefore) q = q.where('commitments.due_at', '<', f.dueBefore);
  if (f.afterId) q = q.where('commitments.id', '<', f.afterId);
  return q.orderBy('commitments.id', 'desc').limit(f.limit + 1).execute();
}

/** Kept rate = kept / (kept + broken); promises still open do not count either way yet. */
export async function keptRate(ctx: Ctx, opts: { by: 'person' | 'team' | 'department'; kind?: CommitmentKind; from?: Date; to?: Date }) {
  const key = opts.by === 'person' ? 'owner_id' : opts.by === 'team' ? 'team_id' : 'department_id';
  let q = ctx.db
    .selectFrom('commitments')
    .select([
      sql<number | null>`${sql.ref(`commitments.${key}`)}`.as('groupId'),
      sql<number>`count(*) filter (where status = 'kept')`.as('kept'),
      sql<number>`count(*) filter (where status = 'broken')`.as('broken'),
      sql<number>`count(*) filter (where status in ('open', 'renegotiated'))`.as('open'),
      sql<number>`count(*) filter (where renegotiation_count > 0)`.as('renegotiated'),
    ])
    .where('kind', '=', opts.kind ?? 'promise');
  if (opts.from) q = q.where('due_at', '>=', opts.from);
  if (opts.to) q = q.where('due_at', '<', opts.to);
  const rows = await q.groupBy(sql.ref(`commitments.${key}`)).orderBy(sql.ref(`commitments.${key}`)).execute();
  return rows.map((r) => ({ ...r, keptRate: r.kept + r.broken > 0 ? r.kept / (r.kept + r.broken) : null }));
}
