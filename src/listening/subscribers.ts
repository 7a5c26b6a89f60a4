/** Unsolicited feedback: every inbound message is read in its own language as it arrives. */
import type { Subscriber } from '../events';
import { readMessage } from './service';

export const listeningSubscribers: Subscriber[] = [
  {
    name: 'listening.read-messages',
    types: ['message.received'],
    async handle(ctx, e) {
      const body = typeof e.payload.body === 'string' ? e.payload.body : '';
      await readMessage(ctx, { eventId: e.id, caseId: e.caseId, customerId: e.customerId, body, at: e.occurredAt });
    },
  },
];
