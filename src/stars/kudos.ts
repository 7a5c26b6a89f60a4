/**
 * Kudos: recognition a colleague or a customer gives a named staff member, always with a reason.
 * Nobody gives kudos to themselves.
 */
import type { Ctx } from '../core/context';
import { inTransaction } from '../core/context';
import { Invalid, NotFound } from '../core/errors';
import { staffActor } from '../core/access';
import { recordAudit } from '../audit';
import { publish } from '../events';

async function recipient(ctx: Ctx, toStaffId: number) {
  const to = await ctx.db.selectFrom('staff').select(['id', 'name', 'active']).where('id', '=', toStaffId).executeTakeFirst();
  if (!to || !to.active) throw new Invalid('body.toStaffId', 'exists', `There is no active staff member ${toStaffId}`);
  return to;
}

async function insertKudos(ctx: Ctx, k: { toStaffId: number; fromStaffId: number | null; fromCustomerId: number | null; caseId: number | null; reason: string }) {
  const to = await recipient(ctx, k.toStaffId);
  if (k.caseId) {
    const c = await ctx.db.selectFrom('cases').select(['id', 'customer_id']).where('id', '=', k.caseId).executeTakeFirst();
    if (!c) throw new Invalid('body.caseId', 'exists', `Case ${k.caseId} does not exist`);
    if (k.fromCustomerId && c.customer_id !== k.fromCustomerId) throw new Invalid('body.caseId', 'own_case', 'A customer gives kudos about their own case');
  }
  const row = await ctx.db.insertInto('kudos').values({
    to_staff_id: k.toStaffId, from_staff_id: k.fromStaffId, from_customer_id: k.fromCustomerId, case_id: k.caseId, reason: k.reason, created_at: ctx.clock.now(),
  }).returning(['id', 'created_at as createdAt']).executeTakeFirstOrThrow();
  await recordAudit(ctx, 'kudos', row.id, 'give', null, k);
  await publish(ctx, 'kudos.given', { caseId: k.caseId, customerId: k.fromCustomerId }, {
    kudosId: row.id, toStaffId: k.toStaffId, toStaffName: to.name, fromStaffId: k.fromStaffId, fromCustomerId: k.fromCustomerId, reason: k.reason,
  });
  return { id: row.id, toStaffId: k.toStaffId, toStaffName: to.name, fromStaffId: k.fromStaffId, fromCustomerId: k.fromCustomerId, caseId: k.caseId, reason: k.reason, createdAt: row.createdAt };
}

/** A colleague's kudos, with the reason. */
export async function giveKudos(ctx: Ctx, input: { toStaffId: number; reason: string; caseId?: number | null }) {
  const me = staffActor(ctx);
  if (input.toStaffId === me.id) throw new Invalid('body.toStaffId', 'not_self', 'Kudos are for someone else: nobody gives kudos to themselves');
  return inTransaction(ctx, (tx) => insertKudos(tx, { toStaffId: input.toStaffId, fromStaffId: me.id, fromCustomerId: null, caseId: input.caseId ?? null, reason: input.reason }));
}

/** A customer's "who helped you?" (from the survey page or the portal, which know the customer). */
export async function giveCustomerKudos(ctx: Ctx, input: { customerId: number; toStaffId: number; reason: string; caseId?: number | null }) {
  return inTransaction(ctx, async (tx) => {
    if (!await tx.db.selectFrom('customers').select('id').where('id', '=', input.customerId).executeTakeFirst()) throw new NotFound('Customer', input.customerId);
    return insertKudos(tx, { toStaffId: input.toStaffId, fromStaffId: null, fromCustomerId: input.customerId, caseId: input.caseId ?? null, reason: input.reason });
  });
}

/** The kudos feed, newest first (optionally for one person). */
export async function kudosFeed(ctx: Ctx, f: { toStaffId?: number; limit: number; before?: number }) {
  let q = ctx.db.selectFrom('kudos').innerJoin('staff as t', 't.id', 'kudos.to_staff_id').leftJoin('staff as f', 'f.id', 'kudos.from_staff_id')
    .leftJoin('customers as c', 'c.id', 'kudos.from_customer_id')
    .select(['kudos.id', 'kudos.to_staff_id as toStaffId', 't.name as toStaffName', 'kudos.from_staff_id as fromStaffId', 'f.name as fromStaffName',
      'kudos.from_customer_id as fromCustomerId', 'c.name as fromCustomerName', 'kudos.case_id as caseId', 'kudos.reason', 'kudos.created_at as createdAt'])
    .orderBy('kudos.id', 'desc').limit(f.limit);
  if (f.toStaffId) q = q.where('kudos.to_staff_id', '=', f.toStaffId);
  if (f.before) q = q.where('kudos.id', '<', f.before);
  const items = await q.execute();
  return { items: items.map((k) => ({ ...k, from: k.fromStaffName ?? (k.fromCustomerName ? 'a customer' : null) })), nextCursor: items.length === f.limit ? items.at(-1)!.id : null };
}
