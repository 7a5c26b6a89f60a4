/**
 * Every domain event type Kept publishes, by the product's words. Integrations subscribe to
 * these names (webhooks, GET /api/v1/events); each payload carries the facts a receiver needs
 * without a second call. A payload change that removes or renames a field raises the version.
 */
export const EVENT_TYPES = [
  'case.opened', 'case.updated', 'case.resolved', 'case.reopened', 'case.closed', 'case.taken', 'case.routed',
  'message.received', 'reply.sent', 'note.added', 'call.logged',
  'handover.offered', 'handover.accepted', 'handover.declined', 'handover.expired', 'handover.withdrawn',
  'commitment.made', 'commitment.kept', 'commitment.renegotiated', 'commitment.broken',
  'standard.met', 'standard.missed',
  'decision.made', 'decision.requested', 'decision.approved', 'decision.declined', 'decision.escalated',
  'recovery.opened', 'recovery.step_recorded', 'recovery.fixed', 'recovery.followed_up',
  'survey.invited', 'survey.answered',
  'customer.created', 'customer.updated', 'customer.merged',
  'kudos.given', 'customer.erased',
  'webhook.test',
  'case.repeat_flagged', 'portal.reply_viewed', 'customer.activity',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

const KNOWN = new Set<string>(EVENT_TYPES);
export const isEventType = (t: string): t is EventType => KNOWN.has(t);

/**
 * Who may see an event through the events API: every staff role that reads cases sees case and
 * customer events; the test pings of webhook endpoints are for admins.
 */
export function visibleTo(type: string, role: string): boolean {
  if (type.startsWith('webhook.')) return role === 'admin';
  return true;
}
