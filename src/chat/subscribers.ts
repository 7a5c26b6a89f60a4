/**
 * A chat follows its case. When a hand-over of a live chat's case is accepted, the new owner
 * becomes the chat's agent and the visitor is told who took over. A reply written on the case
 * screen (not in the chat) reaches the visitor's chat too, so a chat taken as a case can still
 * be answered live when the visitor is there.
 */
import type { Subscriber } from '../events';
import { followHandover, relayCaseReply } from './service';

export const chatSubscribers: Subscriber[] = [
  {
    name: 'chat.follow-handover',
    types: ['handover.accepted'],
    async handle(ctx, e) {
      if (!e.caseId) return;
      await followHandover(ctx, e.caseId, (e.payload.fromOwnerId as number | null) ?? null, e.payload.toOwnerId as number);
    },
  },
  {
    name: 'chat.relay-case-replies',
    types: ['reply.sent'],
    async handle(ctx, e) {
      const p = e.payload as { caseId: number; entryId: number; channel: string; body: string; authorId: number | null };
      if (p.channel === 'chat') await relayCaseReply(ctx, p);
    },
  },
];
