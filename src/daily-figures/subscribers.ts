/**
 * Keeps the daily figures right: every event that can change a count (a case opened, moved,
 * resolved; a promise made, kept or broken; a recovery's step; a survey sent or answered; kudos;
 * customers merged or erased) has the past days it touched recomputed from the raw rows, within a
 * second of the write, in the same transaction that moves this subscriber's cursor. Today is not
 * recomputed on every write: pages read it from the raw rows until the timer closes it.
 *
 * Compliments (see compliments.ts) are found in a text once, when it arrives, and found again in a
 * case's texts when its owner may have changed (the first-name rule reads the owner), and in a
 * customer's texts when they are erased or merged.
 */
import type { Subscriber } from '../events';
import type { StoredEvent } from '../core/domain-events';
import { refreshTouchedDays } from './service';
import { refreshCompliments } from './compliments';

const TYPES = [
  'case.opened', 'case.updated', 'case.resolved', 'case.reopened', 'case.closed', 'case.routed', 'case.taken', 'handover.accepted',
  'commitment.made', 'commitment.kept', 'commitment.renegotiated', 'commitment.broken',
  'recovery.opened', 'recovery.step_recorded', 'recovery.fixed', 'recovery.followed_up',
  'survey.invited', 'survey.answered', 'kudos.given', 'customer.merged', 'customer.erased',
] as const;

/**
 * The events after which a case's texts, or a customer's, may compliment someone else: a new text,
 * or a new owner (the first-name rule reads the owner). A case's opening is not among them: its
 * first message comes with its own message.received, and case.updated counts only when the owner
 * changed — both run on every case, and re-read texts that cannot have changed.
 */
const BY_CASE = ['message.received', 'case.updated', 'case.routed', 'case.taken', 'handover.accepted'] as const;
const ownerUnchanged = (e: StoredEvent) => e.type === 'case.updated' && !('ownerId' in ((e.payload.after as object | undefined) ?? {}));
const BY_CUSTOMER = ['customer.merged', 'customer.erased'] as const;
const COMPLIMENT_TYPES = [...BY_CASE, 'survey.answered', ...BY_CUSTOMER] as const;

function whoseTexts(events: StoredEvent[]) {
  const caseIds: number[] = [];
  const customerIds: number[] = [];
  for (const e of events) {
    if ((BY_CASE as readonly string[]).includes(e.type) && e.caseId !== null && !ownerUnchanged(e)) caseIds.push(e.caseId);
    // An answer without a case (a relationship survey) is found through its customer.
    if (e.type === 'survey.answered') { if (e.caseId !== null) caseIds.push(e.caseId); else if (e.customerId !== null) customerIds.push(e.customerId); }
    if ((BY_CUSTOMER as readonly string[]).includes(e.type)) {
      if (e.customerId !== null) customerIds.push(e.customerId);
      if (typeof e.payload.duplicateId === 'number') customerIds.push(e.payload.duplicateId);
    }
  }
  return { caseIds, customerIds };
}

export const dailyFigureSubscribers: Subscriber[] = [
  {
    name: 'daily-figures.refresh',
    types: TYPES,
    async handle(ctx, e) {
      await refreshTouchedDays(ctx, [e]);
    },
    // A batch of events is one look-up of the days they touched and one refresh per run of days.
    async handleBatch(ctx, events) {
      await refreshTouchedDays(ctx, events);
    },
  },
  {
    name: 'daily-figures.compliments',
    types: COMPLIMENT_TYPES,
    async handle(ctx, e) {
      await refreshCompliments(ctx.db, whoseTexts([e]));
    },
    async handleBatch(ctx, events) {
      await refreshCompliments(ctx.db, whoseTexts(events));
    },
  },
];
