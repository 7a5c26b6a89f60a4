/**
 * Service recovery: fix the OOPS in 24 hours, then SURPRISE. A failure (a broken promise, a
 * missed standard, a complaint, a detractor, or a staff member saying "this was our OOPS")
 * opens a recovery with an owner and a 24-hour calendar clock. The apology, the fix and the
 * surprise are steps on the case timeline. Fixed within 24 hours it is "recovered", after that
 * "late". Some days later we ask whether the customer's loyalty recovered.
 * Anyone working cases may flag an OOPS; its steps, root cause and follow-up are recorded by the
 * recovery's owner or whoever may change its case (core/authority.ts).
 */
import { sql } from 'kysely';
import type { Ctx } from '../core/context';
import { inTransaction } from '../core/context';
import { staffActor } from '../core/access';
import { requireCaseAuthority, requireCaseWorker } from '../core/authority';
import { Conflict, NotFound } from '../core/errors';
import { DAY, HOUR } from '../core/clock';
import { recordAudit } from '../audit';
import { addEntry } from '../timeline';
import { publish } from '../events';
import { notify } from '../notifications';
import { getSettings } from '../org';
import type { RecoverySource } from './schema';

export const RECOVERY_WINDOW = 24 * HOUR;

export const recoveryColumns = ['recoveries.id', 'recoveries.case_id as caseId', 'recoveries.customer_id as customerId', 'recoveries.source',
  'recoveries.source_ref as sourceRef', 'recoveries.owner_id as ownerId', 'recoveries.caused_by_department_id as causedByDepartmentId',
  'recoveries.note', 'recoveries.status', 'recoveries.opened_at as openedAt', 'recoveries.due_at as dueAt', 'recoveries.apology_at as apologyAt',
  'recoveries.apology_how as apologyHow', 'recoveries.fix_at as fixAt', 'recoveries.fix_what as fixWhat', 'recoveries.surprise_at as surpriseAt',
  'recoveries.surprise_what as surpriseWhat', 'recoveries.surprise_decision_id as surpriseDecisionId', 'recoveries.loyalty_before as loyaltyBefore',
  'recoveries.follow_up_due_at as followUpDueAt', 'recoveries.follow_up_at as followUpAt', 'recoveries.loyalty_after as loyaltyAfter',
  'recoveries.loyalty_recovered as loyaltyRecovered'] as const;

export async function getRecovery(ctx: Ctx, id: number) {
  const row = await ctx.db.selectFrom('recoveries').select(recoveryColumns).where('recoveries.id', '=', id).executeTakeFirst();
  if (!row) throw new NotFound('Recovery', id);
  return row;
}

/**
 * Opens a recovery unless this very failure already has one (source + ref are unique), so a
 * timer seeing a broken promise twice, or two instances, still open exactly one.
 */
export async function openRecovery(ctx: Ctx, input: { caseId: number; source: RecoverySource; sourceRef?: string | null; ownerId?: number | null; note?: string | null; loyaltyBefore?: number | null }) {
  const c = await ctx.db.selectFrom('cases').select(['id', 'customer_id', 'owner_id', 'caused_by_department_id']).where('id', '=', input.caseId).executeTakeFirst();
  if (!c) throw new NotFound('Case', input.caseId);
  const now = ctx.clock.now();
  const ownerId = input.ownerId ?? c.owner_id;
  const row = await ctx.db
    .insertInto('recoveries')
    .values({
      case_id: c.id, customer_id: c.customer_id, source: input.source, source_ref: input.sourceRef ?? null, owner_id: ownerId,
      caused_by_department_id: c.caused_by_department_id, note: input.note ?? null, opened_at: now, due_at: new Date(now.getTime() + RECOVERY_WINDOW),
      loyalty_before: input.loyaltyBefore ?? null,
    })
    .onConflict((oc) => oc.columns(['source', 'source_ref']).where('source_ref', 'is not', null).doNothing())
    .returning(recoveryColumns)
    .executeTakeFirst();
  if (!row) return null;
  await addEntry(ctx, c.id, 'recovery_opened', { body: input.note ?? null, data: { recoveryId: row.id, source: input.source, dueAt: row.dueAt, ownerId } });
  await recordAudit(ctx, 'recovery', row.id, 'open', null, row);
  await publish(ctx, 'recovery.opened', { caseId: c.id, customerId: c.customer_id }, { recovery: row });
  if (ownerId) await notify(ctx, ownerId, 'recovery_opened', `Recovery on case ${c.id} (${input.source.replace('_', ' ')}): fix it within 24 hours`, c.id);
  return row;
}

/** "This was our OOPS": any staff member may open one by hand. */
export async function flagOops(ctx: Ctx, caseId: number, note: string) {
  requireCaseWorker(ctx);
  return inTransaction(ctx, async (tx) => {
    const row = await openRecovery(tx, { caseId, source: 'staff', note });
    return row!;
  });
}

async function lockRecovery(ctx: Ctx, id: number) {
  const r = await ctx.db.selectFrom('recoveries').select(recoveryColumns).where('recoveries.id', '=', id).forNoKeyUpdate().executeTakeFirst();
  if (!r) throw new NotFound('Recovery', id);
  return r;
}

async function lockOwned(ctx: Ctx, id: number, doing = 'record a recovery step') {
  staffActor(ctx);
  const r = await lockRecovery(ctx, id);
  await requireCaseAuthority(ctx, r.caseId, doing, { staffId: r.ownerId, who: 'the owner of the recovery' });
  return r;
}

export type RecoveryStep = { step: 'apology'; how: string } | { step: 'fix'; what: string } | { step: 'surprise'; what: string; decisionId?: number };

export async function recordStep(ctx: Ctx, id: number, s: RecoveryStep) {
  return inTransaction(ctx, async (tx) => {
    const r = await lockOwned(tx, id);
    const now = tx.clock.now();
    let set: Record<string, unknown>;
    if (s.step === 'apology') {
      if (r.apologyAt) throw new Conflict('The apology is already recorded');
      set = { apology_at: now, apology_how: s.how };
    } else if (s.step === 'fix') {
      if (r.fixAt) throw new Conflict('The fix is already recorded');
      const { recoveryFollowUpDays } = await getSettings(tx);
      // The clock is calendar time: 24 hours, nights and weekends included, as the customer lives them.
      set = { fix_at: now, fix_what: s.what, status: now <= r.dueAt ? 'recovered' : 'late', follow_up_due_at: new Date(now.getTime() + recoveryFollowUpDays * DAY) };
    } else {
      if (r.surpriseAt) throw new Conflict('The surprise is already recorded');
      if (s.decisionId) {
        const d = await tx.db.selectFrom('decisions').select(['id', 'case_id', 'status']).where('id', '=', s.decisionId).executeTakeFirst();
        if (!d || d.case_id !== r.caseId) throw new NotFound('Decision on this case', s.decisionId);
        if (d.status !== 'approved') throw new Conflict(`Decision ${s.decisionId} is ${d.status}, not approved`);
      }
      set = { surprise_at: now, surprise_what: s.what, surprise_decision_id: s.decisionId ?? null };
    }
    const row = await tx.db.updateTable('recoveries').set(set).where('id', '=', id).returning(recoveryColumns).executeTakeFirstOrThrow();
    const text = s.step === 'apology' ? s.how : s.what;
    await addEntry(tx, r.caseId, `recovery_${s.step}`, { body: text, data: { recoveryId: id, status: row.status, withinHours: (now.getTime() - r.openedAt.getTime()) / HOUR } });
    await recordAudit(tx, 'recovery', id, s.step, null, set);
    const subjects = { caseId: row.caseId, customerId: row.customerId };
    await publish(tx, 'recovery.step_recorded', subjects, { recovery: row, step: s.step, text });
    if (s.step === 'fix') await publish(tx, 'recovery.fixed', subjects, { recovery: row, withinWindow: row.status === 'recovered' });
    return row;
  });
}

/** The customer's answer to the follow-up question: are they staying with us? */
export async function recordFollowUp(ctx: Ctx, id: number, input: { loyaltyAfter: number; note?: string }) {
  return inTransaction(ctx, async (tx) => {
    // The customer's own answer to the follow-up survey arrives with nobody on staff acting.
    const r = tx.actor ? await lockOwned(tx, id, "record the customer's follow-up answer") : await lockRecovery(tx, id);
    if (r.followUpAt) throw new Conflict('The follow-up is already recorded');
    const recovered = r.loyaltyBefore === null ? input.loyaltyAfter >= 7 : input.loyaltyAfter >= Math.max(7, Number(r.loyaltyBefore));
    const row = await tx.db.updateTable('recoveries')
      .set({ follow_up_at: tx.clock.now(), loyalty_after: input.loyaltyAfter, loyalty_recovered: recovered })
      .where('id', '=', id).returning(recoveryColumns).executeTakeFirstOrThrow();
    await addEntry(tx, r.caseId, 'recovery_follow_up', { body: input.note ?? null, data: { recoveryId: id, loyaltyBefore: r.loyaltyBefore, loyaltyAfter: input.loyaltyAfter, recovered } });
    await publish(tx, 'recovery.followed_up', { caseId: row.caseId, customerId: row.customerId }, { recovery: row, recovered });
    return row;
  });
}

/** Root cause: name the department whose work caused the failure; it will see the recovery in its list. */
export async function nameRootCause(ctx: Ctx, id: number, departmentId: number | null) {
  return inTransaction(ctx, async (tx) => {
    const r = await lockOwned(tx, id, 'name the root cause');
    if (departmentId !== null && !(await tx.db.selectFrom('departments').select('id').where('id', '=', departmentId).executeTakeFirst())) {
      throw new NotFound('Department', departmentId);
    }
    const row = await tx.db.updateTable('recoveries').set({ caused_by_department_id: departmentId }).where('id', '=', id).returning(recoveryColumns).executeTakeFirstOrThrow();
    await recordAudit(tx, 'recovery', id, 'root_cause', { causedByDepartmentId: r.causedByDepartmentId }, { causedByDepartmentId: departmentId });
    return row;
  });
}

/** A hand-over moves the case's open recoveries to the new owner with it. */
export async function reassignRecoveries(ctx: Ctx, caseId: number, ownerId: number) {
  await ctx.db.updateTable('recoveries').set({ owner_id: ownerId }).where('case_id', '=', caseId).where('status', '=', 'open').execute();
}

/** Timer: remind owners when it is time to ask the customer whether their loyalty recovered. */
export async function remindFollowUps(ctx: Ctx): Promise<number> {
  return inTransaction({ ...ctx, actor: null }, async (tx) => {
    const due = await tx.db.selectFrom('recoveries').select(['id', 'case_id', 'owner_id'])
      .where('follow_up_at', 'is', null).where('follow_up_reminded_at', 'is', null).where('follow_up_due_at', '<=', tx.clock.now())
      .orderBy('follow_up_due_at').limit(100).forNoKeyUpdate().skipLocked().execute();
    for (const r of due) {
      await tx.db.updateTable('recoveries').set({ follow_up_reminded_at: tx.clock.now() }).where('id', '=', r.id).execute();
      if (r.owner_id) await notify(tx, r.owner_id, 'recovery_follow_up_due', `Time to hear whether we won back the customer on case ${r.case_id}: the follow-up question went to them; record their answer if they tell you instead`, r.case_id);
    }
    return due.length;
  });
}

export async function listRecoveries(ctx: Ctx, f: { ownerId?: number; caseId?: number; departmentId?: number; status?: string; limit: number }) {
  let q = ctx.db.selectFrom('recoveries').innerJoin('cases', 'cases.id', 'recoveries.case_id').select(recoveryColumns).select('cases.subject');
  if (f.ownerId) q = q.where('recoveries.owner_id', '=', f.ownerId);
  if (f.caseId) q = q.where('recoveries.case_id', '=', f.caseId);
  if (f.departmentId) q = q.where('recoveries.caused_by_department_id', '=', f.departmentId);
  if (f.status) q = q.where('recoveries.status', '=', f.status as 'open');
  return q.orderBy('recoveries.id', 'desc').limit(f.limit).execute();
}

/** Recoveries opened by source, % fixed within 24 h, time to fix, surprise rate, loyalty before and after. */
export async function recoveryFigures(ctx: Ctx, opts: { from?: Date; to?: Date; departmentId?: number }) {
  let q = ctx.db.selectFrom('recoveries');
  if (opts.from) q = q.where('opened_at', '>=', opts.from);
  if (opts.to) q = q.where('opened_at', '<', opts.to);
  if (opts.departmentId) q = q.where('caused_by_department_id', '=', opts.departmentId);
  const [totals, bySource] = await Promise.all([
    q.select([
      sql<number>`count(*)::int`.as('opened'),
      sql<number>`count(*) FILTER (WHERE fix_at IS NOT NULL)::int`.as('fixed'),
      sql<number>`count(*) FILTER (WHERE status = 'recovered')::int`.as('fixedWithin24h'),
      sql<number | null>`avg(extract(epoch FROM fix_at - opened_at) / 3600) FILTER (WHERE fix_at IS NOT NULL)`.as('meanHoursToFix'),
      sql<number>`count(*) FILTER (WHERE surprise_at IS NOT NULL)::int`.as('surprised'),
      sql<number | null>`avg(loyalty_before) FILTER (WHERE loyalty_before IS NOT NULL AND loyalty_after IS NOT NULL)`.as('loyaltyBefore'),
      sql<number | null>`avg(loyalty_after) FILTER (WHERE loyalty_before IS NOT NULL AND loyalty_after IS NOT NULL)`.as('loyaltyAfter'),
      sql<number>`count(*) FILTER (WHERE loyalty_recovered)::int`.as('loyaltyRecovered'),
      sql<number>`count(*) FILTER (WHERE follow_up_at IS NOT NULL)::int`.as('followedUp'),
    ]).executeTakeFirstOrThrow(),
    q.select(['source', sql<number>`count(*)::int`.as('opened')]).groupBy('source').orderBy('source').execute(),
  ]);
  return {
    ...totals,
    meanHoursToFix: totals.meanHoursToFix === null ? null : Number(totals.meanHoursToFix),
    loyaltyBefore: totals.loyaltyBefore === null ? null : Number(totals.loyaltyBefore),
    loyaltyAfter: totals.loyaltyAfter === null ? null : Number(totals.loyaltyAfter),
    shareFixedWithin24h: totals.opened ? totals.fixedWithin24h / totals.opened : null,
    surpriseRate: totals.fixed ? totals.surprised / totals.fixed : null,
    bySource: Object.fromEntries(bySource.map((r) => [r.source, r.opened])),
  };
}
