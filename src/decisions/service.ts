/**
 * Empowered staff. Goodwill decisions (refund, credit, replacement, fee waiver, upgrade...) have
 * an authority limit per role and, where set, per person. Within the limit a decision is made
 * at once and recorded — no approval asked. Above it, it becomes an approval request with its
 * own response standard; an unanswered request goes up to the approver's own lead or a manager.
 * Policy rules can give customers the benefit of the doubt: a claim up to an amount is approved
 * at once for a customer with no claim in the last N days.
 *
 * Nobody approves their own request, whatever their role. The approver is always someone else:
 * the requester's team lead (a lead answers for their team), else a manager, then an admin, whose
 * own limit for this kind and currency covers the amount (the requester's department first).
 * If there is nobody, the request waits unassigned and every admin is alerted; an admin whose own
 * limit covers it may then answer it. Only the named approver, or such an admin, answers.
 * Decisions are made on a case by whoever may change the case (core/authority.ts).
 */
import { sql } from 'kysely';
import type { Ctx } from '../core/context';
import { inTransaction } from '../core/context';
import { staffActor } from '../core/access';
import { requireCaseAuthority } from '../core/authority';
import type { Actor } from '../core/context';
import { Conflict, Forbidden, Invalid, NotFound } from '../core/errors';
import { DAY, MINUTE } from '../core/clock';
import { recordAudit } from '../audit';
import { addEntry } from '../timeline';
import { publish } from '../events';
import { notify } from '../notifications';
import { getSettings } from '../org';
import { leadOf } from '../staff';
import type { Role } from '../staff';

export const decisionColumns = ['decisions.id', 'decisions.case_id as caseId', 'decisions.customer_id as customerId', 'decision_kinds.key as kind',
  'decisions.amount', 'decisions.currency', 'decisions.reason', 'decisions.requested_by_id as requestedById', 'decisions.status',
  'decisions.within_authority as withinAuthority', 'decisions.limit_amount as limitAmount', 'decisions.auto_rule_id as autoRuleId',
  'decisions.approver_id as approverId', 'decisions.approval_due_at as approvalDueAt', 'decisions.escalated_at as escalatedAt',
  'decisions.decided_by_id as decidedById', 'decisions.decided_at as decidedAt', 'decisions.decline_reason as declineReason',
  'decisions.created_at as createdAt'] as const;

function selectDecisions(ctx: Ctx) {
  return ctx.db.selectFrom('decisions').innerJoin('decision_kinds', 'decision_kinds.id', 'decisions.kind_id').select(decisionColumns);
}

export async function getDecision(ctx: Ctx, id: number) {
  const row = await selectDecisions(ctx).where('decisions.id', '=', id).executeTakeFirst();
  if (!row) throw new NotFound('Decision', id);
  return row;
}

async function kindByKey(ctx: Ctx, key: string) {
  const kind = await ctx.db.selectFrom('decision_kinds').select(['id', 'key', 'name', 'active']).where('key', '=', key).executeTakeFirst();
  if (!kind || !kind.active) throw new Invalid('body.kind', 'exists', `There is no decision kind "${key}"`);
  return kind;
}

/** A personal limit, where one is set, replaces the role's; no limit at all means everything is asked. */
export async function authorityOf(ctx: Ctx, staff: { id: number; role: Role }, kindId: number, currency: string): Promise<number> {
  const limits = await ctx.db.selectFrom('authority_limits').select(['amount', 'staff_id'])
    .where('kind_id', '=', kindId).where('currency', '=', currency)
    .where((eb) => eb.or([eb('staff_id', '=', staff.id), eb('role', '=', staff.role)]))
    .execute();
  const personal = limits.find((l) => l.staff_id === staff.id);
  return Number((personal ?? limits[0])?.amount ?? 0);
}

export async function recordDecision(ctx: Ctx, caseId: number, input: { kind: string; amount: number; currency: string; reason: string }) {
  const me = staffActor(ctx);
  return inTransaction(ctx, async (tx) => {
    const c = await tx.db.selectFrom('cases').select(['id', 'customer_id']).where('id', '=', caseId).executeTakeFirst();
    if (!c) throw new NotFound('Case', caseId);
    await requireCaseAuthority(tx, caseId, 'make a goodwill decision');
    const kind = await kindByKey(tx, input.kind);
    const now = tx.clock.now();
    const limit = await authorityOf(tx, me, kind.id, input.currency);
    const within = input.amount <= limit;
    const rule = within ? null : await benefitOfTheDoubt(tx, kind.id, c.customer_id, input.amount, input.currency);
    const approved = within || !!rule;
    const approverId = approved ? null : await approverFor(tx, me, kind.id, input.amount, input.currency);
    const { approvalResponseMinutes } = await getSettings(tx);
    const row = await tx.db.insertInto('decisions').values({
      case_id: c.id, customer_id: c.customer_id, kind_id: kind.id, amount: input.amount, currency: input.currency, reason: input.reason,
      requested_by_id: me.id, team_id: me.teamId, department_id: me.departmentId,
      status: approved ? 'approved' : 'pending', within_authority: within, limit_amount: limit, auto_rule_id: rule?.id ?? null,
      approver_id: approverId, approval_due_at: approved ? null : new Date(now.getTime() + approvalResponseMinutes * MINUTE),
      decided_by_id: approved ? me.id : null, decided_at: approved ? now : null, created_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    const d = await getDecision(tx, row.id);
    const money = `${input.amount.toFixed(2)} ${input.currency}`;
    if (approved) {
      await addEntry(tx, c.id, 'decision_made', { body: input.reason, data: { decisionId: d.id, kind: kind.key, amount: input.amount, currency: input.currency, withinAuthority: within, rule: rule?.description ?? null } });
    } else {
      await addEntry(tx, c.id, 'decision_requested', { body: input.reason, data: { decisionId: d.id, kind: kind.key, amount: input.amount, currency: input.currency, limit, approverId } });
      if (approverId) await notify(tx, approverId, 'approval_requested', `${me.name} asks you to approve a ${kind.name.toLowerCase()} of ${money} on case ${c.id}`, c.id);
      else await alertAdmins(tx, `${me.name} asks for a ${kind.name.toLowerCase()} of ${money} on case ${c.id}, and nobody else has the authority to approve it: name an approver or set a limit`, c.id);
    }
    await recordAudit(tx, 'decision', d.id, approved ? 'decide' : 'request', null, d);
    await publish(tx, approved ? 'decision.made' : 'decision.requested', { caseId: c.id, customerId: c.customer_id }, { decision: d });
    return d;
  });
}

/** See the header: never the requester; the team lead, else a manager or admin whose limit covers it. */
async function approverFor(ctx: Ctx, requester: Actor, kindId: number, amount: number, currency: string): Promise<number | null> {
  if (requester.teamId) {
    const lead = await ctx.db.selectFrom('teams').innerJoin('staff', 'staff.id', 'teams.lead_id').select('staff.id')
      .where('teams.id', '=', requester.teamId).where('staff.active', '=', true).where('staff.id', '<>', requester.id).executeTakeFirst();
    if (lead) return lead.id;
  }
  const candidates = await ctx.db.selectFrom('staff').select(['id', 'role', 'department_id'])
    .where('role', 'in', ['manager', 'admin']).where('active', '=', true).where('id', '<>', requester.id)
    .orderBy('id').execute();
  const rank = (s: { role: string; department_id: number | null }) => (s.department_id === requester.departmentId ? 0 : 2) + (s.role === 'manager' ? 0 : 1);
  for (const s of candidates.sort((a, b) => rank(a) - rank(b))) {
    if ((await authorityOf(ctx, { id: s.id, role: s.role }, kindId, currency)) >= amount) return s.id;
  }
  return null;
}

async function alertAdmins(ctx: Ctx, message: string, caseId: number) {
  // The requester too, if an admin: they learn it waits, and why.
  const admins = await ctx.db.selectFrom('staff').select('id').where('role', '=', 'admin').where('active', '=', true).execute();
  for (const a of admins) await notify(ctx, a.id, 'approval_unassigned', message, caseId);
}

/** The benefit of the doubt: an active rule covering this amount, for a customer with no recent claim. */
async function benefitOfTheDoubt(ctx: Ctx, kindId: number, customerId: number, amount: number, currency: string) {
  const rules = await ctx.db.selectFrom('policy_rules').select(['id', 'description', 'no_claim_days'])
    .where('kind_id', '=', kindId).where('currency', '=', currency).where('active', '=', true).where('max_amount', '>=', amount)
    .orderBy('max_amount').execute();
  for (const rule of rules) {
    const since = new Date(ctx.clock.now().getTime() - rule.no_claim_days * DAY);
    const recent = await ctx.db.selectFrom('decisions').select('id').where('customer_id', '=', customerId)
      .where('created_at', '>=', since).where('status', '<>', 'declined').limit(1).executeTakeFirst();
    if (!recent) return rule;
  }
  return null;
}

async function lockPending(ctx: Ctx, id: number) {
  const me = staffActor(ctx);
  const d = await ctx.db.selectFrom('decisions').select(['id', 'status', 'approver_id', 'case_id', 'requested_by_id', 'kind_id', 'amount', 'currency', 'created_at'])
    .where('id', '=', id).forNoKeyUpdate().executeTakeFirst();
  if (!d) throw new NotFound('Decision', id);
  if (d.status !== 'pending') throw new Conflict(`Decision ${id} is already ${d.status}`);
  if (d.requested_by_id === me.id) throw new Forbidden('Nobody approves their own request: it waits for someone else with the authority');
  if (d.approver_id === me.id) return { me, d };
  const adminCovers = me.role === 'admin' && (await authorityOf(ctx, me, d.kind_id, d.currency)) >= Number(d.amount);
  if (!adminCovers) {
    const approver = d.approver_id ? await ctx.db.selectFrom('staff').select('name').where('id', '=', d.approver_id).executeTakeFirst() : null;
    const who = d.approver_id ? `${approver?.name ?? `staff member ${d.approver_id}`}, the person asked to approve,` : 'the approver';
    throw new Forbidden(`Only ${who} or an admin whose own limit covers ${Number(d.amount).toFixed(2)} ${d.currency} may answer this request`);
  }
  return { me, d };
}

export async function approveDecision(ctx: Ctx, id: number, note?: string) {
  return inTransaction(ctx, async (tx) => {
    const { me, d } = await lockPending(tx, id);
    await tx.db.updateTable('decisions').set({ status: 'approved', decided_by_id: me.id, decided_at: tx.clock.now() }).where('id', '=', id).execute();
    await addEntry(tx, d.case_id, 'decision_approved', { body: note ?? null, data: { decisionId: id } });
    await notify(tx, d.requested_by_id, 'approval_approved', `${me.name} approved your request on case ${d.case_id}`, d.case_id);
    await recordAudit(tx, 'decision', id, 'approve', { status: 'pending' }, { status: 'approved' });
    return publishDecision(tx, 'decision.approved', id);
  });
}

export async function declineDecision(ctx: Ctx, id: number, reason: string) {
  return inTransaction(ctx, async (tx) => {
    const { me, d } = await lockPending(tx, id);
    await tx.db.updateTable('decisions').set({ status: 'declined', decided_by_id: me.id, decided_at: tx.clock.now(), decline_reason: reason }).where('id', '=', id).execute();
    await addEntry(tx, d.case_id, 'decision_declined', { body: reason, data: { decisionId: id } });
    await notify(tx, d.requested_by_id, 'approval_declined', `${me.name} declined your request on case ${d.case_id}: ${reason}`, d.case_id);
    await recordAudit(tx, 'decision', id, 'decline', { status: 'pending' }, { status: 'declined', declineReason: reason });
    return publishDecision(tx, 'decision.declined', id);
  });
}

async function publishDecision(ctx: Ctx, type: 'decision.approved' | 'decision.declined' | 'decision.escalated', id: number, extra: Record<string, unknown> = {}) {
  const d = await getDecision(ctx, id);
  await publish(ctx, type, { caseId: d.caseId, customerId: d.customerId }, { decision: d, ...extra });
  return d;
}

/** Timer: a request not answered within the approval standard goes up to the approver's own lead or a manager. */
export async function escalateOverdueApprovals(ctx: Ctx): Promise<number> {
  return inTransaction({ ...ctx, actor: null }, async (tx) => {
    const due = await tx.db.selectFrom('decisions').select(['id', 'case_id', 'approver_id', 'requested_by_id'])
      .where('status', '=', 'pending').where('escalated_at', 'is', null).where('approval_due_at', '<=', tx.clock.now())
      .orderBy('approval_due_at').limit(100).forNoKeyUpdate().skipLocked().execute();
    for (const d of due) {
      const up = d.approver_id ? await leadOf(tx, d.approver_id) : null;
      const next = up === d.requested_by_id ? null : up; // going up never lands on the requester
      await tx.db.updateTable('decisions').set({ escalated_at: tx.clock.now(), approver_id: next ?? d.approver_id }).where('id', '=', d.id).execute();
      await addEntry(tx, d.case_id, 'decision_escalated', { authorId: null, data: { decisionId: d.id, from: d.approver_id, to: next } });
      await publishDecision(tx, 'decision.escalated', d.id, { from: d.approver_id, to: next });
      if (next && next !== d.approver_id) await notify(tx, next, 'approval_requested', `An approval on case ${d.case_id} waited too long and now comes to you`, d.case_id);
    }
    return due.length;
  });
}

export async function listDecisions(ctx: Ctx, f: { caseId?: number; approverId?: number; requestedById?: number; status?: string; limit: number }) {
  let q = selectDecisions(ctx);
  if (f.caseId) q = q.where('decisions.case_id', '=', f.caseId);
  if (f.approverId) q = q.where('decisions.approver_id', '=', f.approverId);
  if (f.requestedById) q = q.where('decisions.requested_by_id', '=', f.requestedById);
  if (f.status) q = q.where('decisions.status', '=', f.status as 'pending');
  return q.orderBy('decisions.id', 'desc').limit(f.limit).execute();
}

/**
 * Escalation rate (share of decisions that needed an approval request), mean approval wait in
 * minutes (answered requests), and the share decided within the person's own authority.
 */
export async function decisionFigures(ctx: Ctx, by: 'team' | 'department' | 'all') {
  const group = by === 'team' ? sql.ref('team_id') : by === 'department' ? sql.ref('department_id') : sql`NULL::bigint`;
  const rows = await ctx.db.selectFrom('decisions')
    .select([
      sql<number | null>`${group}`.as('groupId'),
      sql<number>`count(*)::int`.as('decisions'),
      sql<number>`count(*) FILTER (WHERE within_authority)::int`.as('withinAuthority'),
      sql<number>`count(*) FILTER (WHERE auto_rule_id IS NOT NULL)::int`.as('benefitOfTheDoubt'),
      sql<number>`count(*) FILTER (WHERE NOT within_authority AND auto_rule_id IS NULL)::int`.as('escalated'),
      sql<number | null>`avg(extract(epoch FROM decided_at - created_at) / 60) FILTER (WHERE NOT within_authority AND auto_rule_id IS NULL AND decided_at IS NOT NULL)`.as('meanApprovalWaitMinutes'),
    ])
    .groupBy(sql`1`).orderBy(sql`1`).execute();
  return rows.map((r) => ({
    ...r,
    meanApprovalWaitMinutes: r.meanApprovalWaitMinutes === null ? null : Number(r.meanApprovalWaitMinutes),
    escalationRate: r.decisions ? r.escalated / r.decisions : null,
    shareWithinAuthority: r.decisions ? r.withinAuthority / r.decisions : null,
  }));
}

export async function setAuthorityLimit(ctx: Ctx, input: { kind: string; role?: Role; staffId?: number; amount: number; currency: string }) {
  const kind = await kindByKey(ctx, input.kind);
  const existing = await ctx.db.selectFrom('authority_limits').select(['id', 'amount']).where('kind_id', '=', kind.id).where('currency', '=', input.currency)
    .where(input.staffId ? 'staff_id' : 'role', '=', (input.staffId ?? input.role) as never).executeTakeFirst();
  const row = existing
    ? await ctx.db.updateTable('authority_limits').set({ amount: input.amount }).where('id', '=', existing.id).returningAll().executeTakeFirstOrThrow()
    : await ctx.db.insertInto('authority_limits').values({ kind_id: kind.id, role: input.role ?? null, staff_id: input.staffId ?? null, amount: input.amount, currency: input.currency }).returningAll().executeTakeFirstOrThrow();
  await recordAudit(ctx, 'authority', row.id, 'set_limit', existing ?? null, row);
  return { id: row.id, kind: kind.key, role: row.role, staffId: row.staff_id, amount: Number(row.amount), currency: row.currency };
}

export async function listAuthorityLimits(ctx: Ctx) {
  const rows = await ctx.db.selectFrom('authority_limits').innerJoin('decision_kinds', 'decision_kinds.id', 'authority_limits.kind_id')
    .select(['authority_limits.id', 'decision_kinds.key as kind', 'authority_limits.role', 'authority_limits.staff_id as staffId', 'authority_limits.amount', 'authority_limits.currency'])
    .orderBy('decision_kinds.key').execute();
  return rows.map((r) => ({ ...r, amount: Number(r.amount) }));
}

export async function createPolicyRule(ctx: Ctx, input: { kind: string; description: string; maxAmount: number; currency: string; noClaimDays: number }) {
  const kind = await kindByKey(ctx, input.kind);
  const row = await ctx.db.insertInto('policy_rules').values({ kind_id: kind.id, description: input.description, max_amount: input.maxAmount, currency: input.currency, no_claim_days: input.noClaimDays })
    .returning(['id', 'description', 'max_amount as maxAmount', 'currency', 'no_claim_days as noClaimDays', 'active']).executeTakeFirstOrThrow();
  await recordAudit(ctx, 'authority', row.id, 'create_rule', null, row);
  return { ...row, kind: kind.key, maxAmount: Number(row.maxAmount) };
}

export async function listPolicyRules(ctx: Ctx) {
  const rows = await ctx.db.selectFrom('policy_rules').innerJoin('decision_kinds', 'decision_kinds.id', 'policy_rules.kind_id')
    .select(['policy_rules.id', 'decision_kinds.key as kind', 'policy_rules.description', 'policy_rules.max_amount as maxAmount', 'policy_rules.currency',
      'policy_rules.no_claim_days as noClaimDays', 'policy_rules.active']).orderBy('policy_rules.id').execute();
  return rows.map((r) => ({ ...r, maxAmount: Number(r.maxAmount) }));
}

export async function listDecisionKinds(ctx: Ctx) {
  return ctx.db.selectFrom('decision_kinds').select(['id', 'key', 'name', 'active']).orderBy('id').execute();
}

export async function createDecisionKind(ctx: Ctx, input: { key: string; name: string }) {
  return ctx.db.insertInto('decision_kinds').values({ key: input.key, name: input.name }).returning(['id', 'key', 'name', 'active']).executeTakeFirstOrThrow();
}
