/**
 * What surveys do when other features act: a resolved case gets its transactional survey, and a
 * recovery opened for an unhappy answer is written on that answer (so it is closed only once).
 */
import type { Subscriber } from '../events';
import { inviteAfterResolution } from './service';

export const surveySubscribers: Subscriber[] = [
  {
    name: 'surveys.after-resolution',
    types: ['case.resolved'],
    async handle(ctx, e) {
      if (e.caseId) await inviteAfterResolution(ctx, e.caseId); // if the customer may be asked (cooldown, open recovery)
    },
  },
  {
    name: 'surveys.loop-closed',
    types: ['recovery.opened'],
    async handle(ctx, e) {
      const recovery = e.payload.recovery as { source: string; sourceRef: string | null; caseId: number };
      const m = /^response:(\d+)$/.exec(recovery.sourceRef ?? '');
      if (recovery.source !== 'detractor' || !m) return;
      await ctx.db.updateTable('survey_responses').set({ recovery_case_id: recovery.caseId })
        .where('id', '=', Number(m[1])).where('recovery_case_id', 'is', null).execute();
    },
  },
];
