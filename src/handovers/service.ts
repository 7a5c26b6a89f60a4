/**
 * The handshake. A hand-over is an offer to a named colleague or a team, with a context note so
 * the customer never has to tell their story twice. The owner does not change until the
 * receiver accepts; the receiver may decline with a reason; an offer not accepted in time
 * expires, stays with the offerer and alerts them. One pending offer per case, enforced by the
 * database so that two instances racing resolve to exactly one winner.
 * An offer is made by the owner, or on their behalf by whoever may change the case (their team
 * lead, a manager, an admin: core/authority.ts); only the person (or a member of the team) it
 * is offered to answers it; the offerer or those same people may withdraw it.
 */
import type { Ctx } from '../core/context';
import { inTransaction } from '../core/context';
import { staffActor } from '../core/access';
import { requireCaseAuthority, requireCaseWorker } from '../core/authority';
import { Conflict, Forbidden, Invalid, NotFound } from '../core/errors';
import { recordAudit } from '../audit';
import { addEntry } from '../timeline';
import { notify } from '../notifications';
import { getSettings } from '../org';
import { lockCase, transferOwnership, RUN_AROUND_THRESHOLD } from '../cases';
import type { HandoverStatus } from './schema';
import { publish, type EventType } from '../events';

const columns = ['handovers.id', 'handovers.case_id as caseId', 'handovers.offered_by_id as offeredById',
  'handovers.from_owner_id as fromOwnerId', 'handovers.to_staff_id as toStaffId', 'handovers.to_team_id as toTeamId',
  'handovers.note', 'handovers.status', 'handovers.decline_reason as declineReason', 'handovers.offered_at as offeredAt',
  'handovers.expires_at as expiresAt', 'handovers.answered_at as answeredAt', 'handovers.answered_by_id as answeredById'] as const;

const UNIQUE_VIOLATION = '23505';

type HandoverRow = { id: number; caseId: number; [fact: string]: unknown };

/** A hand-over event carries the hand-over and the case's customer, so receivers need no second call. */
async function publishHandover(ctx: Ctx, type: EventType, h: HandoverRow, extra: Record<string, unknown> = {}) {
  const c = await ctx.db.selectFrom('cases').select('customer_id').where('id', '=', h.caseId).executeTakeFirstOrThrow();
  await publish(ctx, type, { caseId: h.caseId, customerId: c.customer_id }, { handover: h, ...extra });
}

export async function getHandover(ctx: Ctx, id: number) {
  const row = await ctx.db.selectFrom('handovers').select(columns).where('handovers.id', '=', id).executeTakeFirst();
  if (!row) throw new NotFound('Hand-over', id);
  return row;
}

export async function offerHandover(ctx: Ctx, caseId: number, input: { toStaffId?: number; toTeamId?: number; note: string }) {
  const me = staffActor(ctx);
  if (!input.note.trim()) throw new Invalid('body.note', 'required', 'A hand-over needs a context note');
  if (!!input.toStaffId === !!input.toTeamId) throw new Invalid('body', 'one_receiver', 'Offer to exactly one of toStaffId or toTeamId');
  return inTransaction(ctx, async (tx) => {
    const c = await lockCase(tx, caseId);
    if (c.status === 'closed') throw new Conflict(`Case ${caseId} is closed`);
    await requireCaseAuthority(tx, caseId, 'offer it to someone else');
    if (input.toStaffId) {
      if (input.toStaffId === c.ownerId) throw new Invalid('body.toStaffId', 'not_owner', 'The case is already owned by that person');
      const to = await tx.db.selectFrom('staff').select(['id', 'active', 'role']).where('id', '=', input.toStaffId).executeTakeFirst();
      if (!to?.active || to.role === 'executive') throw new Invalid('body.toStaffId', 'exists', `Staff member ${input.toStaffId} cannot take cases`);
    } else {
      const team = await tx.db.selectFrom('teams').select('id').where('id', '=', input.toTeamId!).executeTakeFirst();
      if (!team) throw new Invalid('body.toTeamId', 'exists', `Team ${input.toTeamId} does not exist`);
    }
    const { handoverExpiryMinutes } = await getSettings(tx);
    const now = tx.clock.now();
    const row = await tx.db
      .insertInto('handovers')
      .values({
        case_id: caseId,
        offered_by_id: me.id,
        from_owner_id: c.ownerId,
        to_staff_id: input.toStaffId ?? null,
        to_team_id: input.toTeamId ?? null,
        note: input.note.trim(),
        offered_at: now,
        expires_at: new Date(now.getTime() + handoverExpiryMinutes * 60_000),
      })
      .returning(columns)
      .executeTakeFirstOrThrow()
      .catch((e: { code?: string }) => {
        if (e.code === UNIQUE_VIOLATION) throw new Conflict(`Case ${caseId} already has a hand-over waiting for an answer`);
        throw e;
      });
    await addEntry(tx, caseId, 'handover_offered', {
      body: row.note,
      data: { handoverId: row.id, toStaffId: row.toStaffId, toTeamId: row.toTeamId, expiresAt: row.expiresAt },
    });
    await recordAudit(tx, 'handover', row.id, 'offer', null, row);
    await publishHandover(tx, 'handover.offered', row);
    for (const receiver of await receivers(tx, row)) {
      await notify(tx, receiver, 'handover_offered', `${me.name} offers you case ${caseId}: ${row.note}`, caseId);
    }
    return row;
  });
}

async function receivers(ctx: Ctx, h: { toStaffId: number | null; toTeamId: number | null }): Promise<number[]> {
  if (h.toStaffId) return [h.toStaffId];
  const members = await ctx.db.selectFrom('staff').select('id').where('team_id', '=', h.toTeamId).where('active', '=', true).execute();
  return members.map((m) => m.id);
}

async function claimPending(ctx: Ctx, id: number) {
  const h = await ctx.db.selectFrom('handovers').select(columns).where('handovers.id', '=', id).forNoKeyUpdate().executeTakeFirst();
  if (!h) throw new NotFound('Hand-over', id);
  if (h.status !== 'pending') throw new Conflict(`Hand-over ${id} is already ${h.status}`);
  return h;
}

function assertReceiver(me: { id: number; teamId: number | null }, h: { toStaffId: number | null; toTeamId: number | null }) {
  const mine = h.toStaffId ? h.toStaffId === me.id : h.toTeamId === me.teamId;
  if (!mine) throw new Forbidden('Only the person (or a member of the team) the case was offered to may answer');
}

export async function acceptHandover(ctx: Ctx, id: number) {
  const me = requireCaseWorker(ctx);
  return inTransaction(ctx, async (tx) => {
    const h = await claimPending(tx, id);
    assertReceiver(me, h);
    if (h.fromOwnerId === me.id) throw new Conflict('You already own this case: an offer to your own team is for your colleagues');
    const now = tx.clock.now();
    const row = await tx.db
      .updateTable('handovers')
      .set({ status: 'accepted', answered_at: now, answered_by_id: me.id })
      .where('id', '=', id)
      .returning(columns)
      .executeTakeFirstOrThrow();
    const c = await transferOwnership(tx, h.caseId, me.id, h.toTeamId ?? me.teamId);
    const secondsToAccept = Math.round((now.getTime() - h.offeredAt.getTime()) / 1000);
    await addEntry(tx, h.caseId, 'handover_accepted', { data: { handoverId: id, fromOwnerId: h.fromOwnerId, secondsToAccept, runAround: c.runAround } });
    await recordAudit(tx, 'handover', id, 'accept', { status: 'pending' }, { status: 'accepted' });
    // Open promises and recoveries of the case follow the new owner (their features react to this).
    await publish(tx, 'handover.accepted', { caseId: h.caseId, customerId: c.customerId }, { handover: row, fromOwnerId: h.fromOwnerId, toOwnerId: me.id, secondsToAccept, runAround: c.runAround });
    await notify(tx, h.offeredById, 'handover_accepted', `${me.name} accepted case ${h.caseId}`, h.caseId);
    return { handover: row, case: c };
  });
}

export async function declineHandover(ctx: Ctx, id: number, reason: string) {
  const me = requireCaseWorker(ctx);
  if (!reason.trim()) throw new Invalid('body.reason', 'required', 'Say why you decline, so the offerer can find the right person');
  return inTransaction(ctx, async (tx) => {
    const h = await claimPending(tx, id);
    assertReceiver(me, h);
    const row = await tx.db
      .updateTable('handovers')
      .set({ status: 'declined', decline_reason: reason.trim(), answered_at: tx.clock.now(), answered_by_id: me.id })
      .where('id', '=', id)
      .returning(columns)
      .executeTakeFirstOrThrow();
    await addEntry(tx, h.caseId, 'handover_declined', { body: reason.trim(), data: { handoverId: id } });
    await recordAudit(tx, 'handover', id, 'decline', { status: 'pending' }, { status: 'declined', declineReason: reason.trim() });
    await publishHandover(tx, 'handover.declined', row);
    await notify(tx, h.offeredById, 'handover_declined', `${me.name} declined case ${h.caseId}: ${reason.trim()}`, h.caseId);
    return row;
  });
}

export async function withdrawHandover(ctx: Ctx, id: number) {
  const me = staffActor(ctx);
  return inTransaction(ctx, async (tx) => {
    const h = await claimPending(tx, id);
    await requireCaseAuthority(tx, h.caseId, 'withdraw a hand-over offer', { staffId: h.offeredById, who: 'the person who offered it' });
    const row = await tx.db
      .updateTable('handovers')
      .set({ status: 'withdrawn', answered_at: tx.clock.now(), answered_by_id: me.id })
      .where('id', '=', id)
      .returning(columns)
      .executeTakeFirstOrThrow();
    await addEntry(tx, h.caseId, 'handover_withdrawn', { data: { handoverId: id } });
    await recordAudit(tx, 'handover', id, 'withdraw', { status: 'pending' }, { status: 'withdrawn' });
    await publishHandover(tx, 'handover.withdrawn', row);
    return row;
  });
}

/** Timer: offers nobody accepted in time come back to the offerer, who is alerted. */
export async function expireHandovers(ctx: Ctx): Promise<number> {
  return inTransaction({ ...ctx, actor: null }, async (tx) => {
    const now = tx.clock.now();
    const due = await tx.db
      .selectFrom('handovers')
      .select(columns)
      .where('status', '=', 'pending')
      .where('expires_at', '<=', now)
      .orderBy('expires_at')
      .limit(100)
      .forNoKeyUpdate()
      .skipLocked()
      .execute();
    for (const h of due) {
      await tx.db.updateTable('handovers').set({ status: 'expired', answered_at: now }).where('id', '=', h.id).execute();
      await addEntry(tx, h.caseId, 'handover_expired', { authorId: null, data: { handoverId: h.id, offeredById: h.offeredById } });
      await recordAudit(tx, 'handover', h.id, 'expire', { status: 'pending' }, { status: 'expired' });
      await publishHandover(tx, 'handover.expired', { ...h, status: 'expired', answeredAt: now });
      await notify(tx, h.offeredById, 'handover_expired', `Nobody accepted case ${h.caseId} in time: it is still yours`, h.caseId);
    }
    return due.length;
  });
}

export async function listHandovers(ctx: Ctx, f: { caseId?: number; toMe?: boolean; status?: HandoverStatus; limit: number }) {
  const me = staffActor(ctx);
  let q = ctx.db.selectFrom('handovers').select(columns);
  if (f.caseId) q = q.where('handovers.case_id', '=', f.caseId);
  if (f.status) q = q.where('handovers.status', '=', f.status);
  if (f.toMe) {
    q = q.where((eb) => eb.or([
      eb('handovers.to_staff_id', '=', me.id),
      ...(me.teamId ? [eb('handovers.to_team_id', '=', me.teamId)] : []),
    ]));
  }
  return q.orderBy('handovers.id', 'desc').limit(f.limit).execute();
}

/** Per case: how often it was passed on, how long each hand-over took, and the run-around flag. */
export async function handoverFigures(ctx: Ctx, caseId: number) {
  const rows = await ctx.db.selectFrom('handovers').select(columns).where('handovers.case_id', '=', caseId).orderBy('handovers.id').execute();
  const accepted = rows.filter((h) => h.status === 'accepted');
  const waits = accepted.map((h) => (h.answeredAt!.getTime() - h.offeredAt.getTime()) / 1000);
  return {
    offers: rows.length,
    handovers: accepted.length,
    declined: rows.filter((h) => h.status === 'declined').length,
    expired: rows.filter((h) => h.status === 'expired').length,
    secondsToAccept: waits,
    meanSecondsToAccept: waits.length ? waits.reduce((a, b) => a + b, 0) / waits.length : null,
    runAround: accepted.length >= RUN_AROUND_THRESHOLD,
  };
}
