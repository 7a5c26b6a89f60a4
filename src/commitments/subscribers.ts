/**
 * A case's open promises follow it when it changes hands: the new owner keeps the word given to
 * the customer (and sees it in "My promises due"), not the colleague who passed the case on.
 */
import type { Subscriber } from '../events';
import { recordAudit } from '../audit';
import { notify } from '../notifications';

export const commitmentSubscribers: Subscriber[] = [
  {
    name: 'commitments.follow-the-owner',
    types: ['handover.accepted'],
    async handle(ctx, e) {
      const { fromOwnerId, toOwnerId } = e.payload as { fromOwnerId: number | null; toOwnerId: number };
      if (!fromOwnerId || !e.caseId) return;
      const moved = await ctx.db.updateTable('commitments').set({ owner_id: toOwnerId })
        .where('case_id', '=', e.caseId).where('kind', '=', 'promise').where('owner_id', '=', fromOwnerId)
        .where('status', 'in', ['open', 'renegotiated']).returning('id').execute();
      for (const { id } of moved) await recordAudit(ctx, 'commitment', id, 'follow_owner', { ownerId: fromOwnerId }, { ownerId: toOwnerId });
      // Told, so the new owner knows the word is theirs now (and their open screens refresh live).
      if (moved.length) await notify(ctx, toOwnerId, 'commitment_assigned', `${moved.length === 1 ? 'A promise' : `${moved.length} promises`} on case ${e.caseId} came with the case: keep ${moved.length === 1 ? 'it' : 'them'}`, e.caseId);
    },
  },
];
