/**
 * My work: what a staff member needs at 9 a.m. — hand-overs offered to them, the cases they own
 * by urgency, their promises due in the next 24 hours (and the ones that broke), and their cases
 * whose service standard is at risk.
 */
import { sql } from 'kysely';
import type { Ctx } from '../core/context';
import { staffActor } from '../core/access';
import { HOUR, DAY } from '../core/clock';

const AT_RISK_WITHIN = 2 * HOUR;

export async function myWork(ctx: Ctx) {
  const me = staffActor(ctx);
  const now = ctx.clock.now();
  const [offers, cases, promises, recoveries, approvals] = await Promise.all([
    ctx.db
      .selectFrom('handovers')
      .innerJoin('cases', 'cases.id', 'handovers.case_id')
      .innerJoin('customers', 'customers.id', 'cases.customer_id')
      .innerJoin('staff as offerer', 'offerer.id', 'handovers.offered_by_id')
      .select(['handovers.id', 'handovers.case_id as caseId', 'cases.subject', 'customers.name as customerName', 'handovers.note',
        'offerer.name as offeredBy', 'handovers.offered_at as offeredAt', 'handovers.expires_at as expiresAt', 'handovers.to_team_id as toTeamId'])
      .where('handovers.status', '=', 'pending')
      .where((eb) => eb.or([eb('handovers.to_staff_id', '=', me.id), ...(me.teamId ? [eb('handovers.to_team_id', '=', me.teamId)] : [])]))
      .orderBy('handovers.expires_at')
      .execute(),
    ctx.db
      .selectFrom('cases')
      .innerJoin('customers', 'customers.id', 'cases.customer_id')
      .select(['cases.id', 'cases.subject', 'cases.status', 'cases.priority', 'cases.channel', 'customers.name as customerName',
        'cases.first_responded_at as firstRespondedAt', 'cases.first_response_due_at as firstResponseDueAt',
        'cases.resolution_due_at as resolutionDueAt', 'cases.clock_paused_at as clockPausedAt', 'cases.updated_at as updatedAt'])
      .where('cases.owner_id', '=', me.id)
      .where('cases.status', 'not in', ['resolved', 'closed'])
      // Most urgent first: what is already late (oldest lateness first), then by priority and due time;
      // a case with no due time never goes above one that is late.
      .orderBy(sql`CASE WHEN cases.clock_paused_at IS NULL AND cases.resolution_due_at < ${now} THEN 0 ELSE 1 END`)
      .orderBy(sql`CASE WHEN cases.clock_paused_at IS NULL AND cases.resolution_due_at < ${now} THEN cases.resolution_due_at END NULLS LAST`)
      .orderBy(sql`CASE cases.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END`)
      .orderBy(sql`cases.resolution_due_at NULLS LAST`)
      .limit(200)
      .execute(),
    ctx.db
      .selectFrom('commitments')
      .leftJoin('cases', 'cases.id', 'commitments.case_id')
      .select(['commitments.id', 'commitments.case_id as caseId', 'cases.subject', 'commitments.text', 'commitments.status',
        'commitments.due_at as dueAt', 'commitments.broken_at as brokenAt'])
      .where('commitments.owner_id', '=', me.id)
      .where('commitments.kind', '=', 'promise')
      .where((eb) => eb.or([
        eb.and([eb('commitments.status', 'in', ['open', 'renegotiated']), eb('commitments.due_at', '<', new Date(now.getTime() + DAY))]),
        eb.and([eb('commitments.status', '=', 'broken'), eb('commitments.broken_at', '>', new Date(now.getTime() - 7 * DAY))]),
      ]))
      .orderBy('commitments.due_at')
      .execute(),
    ctx.db
      .selectFrom('recoveries')
      .innerJoin('cases', 'cases.id', 'recoveries.case_id')
      .select(['recoveries.id', 'recoveries.case_id as caseId', 'cases.subject', 'recoveries.source', 'recoveries.due_at as dueAt',
        'recoveries.apology_at as apologyAt', 'recoveries.surprise_at as surpriseAt'])
      .where('recoveries.owner_id', '=', me.id)
      .where('recoveries.status', '=', 'open')
      .orderBy('recoveries.due_at')
      .execute(),
    ctx.db
      .selectFrom('decisions')
      .innerJoin('decision_kinds', 'decision_kinds.id', 'decisions.kind_id')
      .innerJoin('staff as requester', 'requester.id', 'decisions.requested_by_id')
      .innerJoin('cases', 'cases.id', 'decisions.case_id')
      .select(['decisions.id', 'decisions.case_id as caseId', 'cases.subject', 'decision_kinds.name as kind', 'decisions.amount', 'decisions.currency',
        'decisions.reason', 'requester.name as requestedBy', 'decisions.approval_due_at as approvalDueAt', 'decisions.limit_amount as limitAmount'])
      .where('decisions.approver_id', '=', me.id)
      .where('decisions.status', '=', 'pending')
      .orderBy('decisions.approval_due_at')
      .execute(),
  ]);
  const soon = now.getTime() + AT_RISK_WITHIN;
  const atRisk = cases.filter((c) => !c.clockPausedAt && (
    (!c.firstRespondedAt && c.firstResponseDueAt && c.firstResponseDueAt.getTime() < soon) ||
    (c.resolutionDueAt && c.resolutionDueAt.getTime() < soon)));
  const overdue = promises.filter((p) => p.status === 'broken' || p.dueAt <= now);
  return {
    now,
    offers,
    cases,
    promises,
    atRisk,
    recoveries,
    approvals,
    counts: { recoveries: recoveries.length, approvals: approvals.length, offers: offers.length, cases: cases.length, promisesDue: promises.length - overdue.length, promisesOverdue: overdue.length, atRisk: atRisk.length },
  };
}
