/**
 * An alert asking for an answer is settled once the thing is answered: an offer accepted,
 * declined, withdrawn or expired; an approval approved or declined. Its alert is then marked
 * read, so nobody is asked twice about something already done.
 */
import { sql } from 'kysely';
import type { Subscriber } from '../events';

export const notificationSubscribers: Subscriber[] = [
  {
    name: 'notifications.settled',
    types: ['handover.accepted', 'handover.declined', 'handover.withdrawn', 'handover.expired', 'decision.approved', 'decision.declined'],
    async handle(ctx, e) {
      if (!e.caseId) return;
      const offers = e.type.startsWith('handover.');
      let q = ctx.db.updateTable('notifications').set({ read_at: ctx.clock.now() })
        .where('case_id', '=', e.caseId).where('read_at', 'is', null)
        .where('kind', '=', offers ? 'handover_offered' : 'approval_requested');
      // Another request still waiting on the same case keeps its alert.
      q = offers
        ? q.where(sql<boolean>`NOT EXISTS (SELECT 1 FROM handovers h WHERE h.case_id = ${e.caseId} AND h.status = 'pending')`)
        : q.where(sql<boolean>`NOT EXISTS (SELECT 1 FROM decisions d WHERE d.case_id = ${e.caseId} AND d.status = 'pending' AND d.approver_id = notifications.staff_id)`);
      await q.execute();
    },
  },
];
