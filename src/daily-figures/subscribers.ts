/**
 * Keeps the daily figures right: every event that can change a count (a case opened, moved,
 * resolved; a promise made, kept or broken; a recovery's step; a survey sent or answered; kudos;
 * customers merged or erased) has the past days it touched recomputed from the raw rows, within a
 * second of the write, in the same transaction that moves this subscriber's cursor. Today is not
 * recomputed on every write: pages read it from the raw rows until the timer closes it.
 */
import type { Subscriber } from '../events';
import { refreshTouchedDays } from './service';

const TYPES = [
  'case.opened', 'case.updated', 'case.resolved', 'case.reopened', 'case.closed', 'case.routed', 'case.taken', 'handover.accepted',
  'commitment.made', 'commitment.kept', 'commitment.renegotiated', 'commitment.broken',
  'recovery.opened', 'recovery.step_recorded', 'recovery.fixed', 'recovery.followed_up',
  'survey.invited', 'survey.answered', 'kudos.given', 'customer.merged', 'customer.erased',
] as const;

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
];
