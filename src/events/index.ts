/**
 * Publishing domain events: what a service calls, in its own transaction, after its change.
 * The stream itself (ordering, cursors, subscribers) is in core; the names are here.
 */
import type { Ctx } from '../core/context';
import { appendEvents, type EventSubjects } from '../core/domain-events';
import type { EventType } from './catalogue';

export { EVENT_TYPES, isEventType, type EventType } from './catalogue';
export type { StoredEvent } from '../core/domain-events';
export type { Subscriber } from '../core/subscribers';

export interface DomainEvent extends EventSubjects {
  type: EventType;
  payload: Record<string, unknown>;
}

export function publish(ctx: Ctx, type: EventType, subjects: EventSubjects, payload: Record<string, unknown>): Promise<void> {
  return appendEvents(ctx, [{ type, ...subjects, payload }]);
}

/** Several events of one change in one statement (hot paths). */
export function publishAll(ctx: Ctx, events: DomainEvent[]): Promise<void> {
  return appendEvents(ctx, events);
}

/** The facts about a case that most receivers need, for payloads. */
export function caseFacts(c: {
  id: number; subject: string; customerId: number; channel: string; type: string; priority: string; status: string;
  ownerId: number | null; teamId: number | null; touchpoint?: string | null; tags: string[];
  firstResponseDueAt: Date | null; resolutionDueAt: Date | null; causedByDepartmentId?: number | null;
}) {
  return {
    id: c.id, subject: c.subject, customerId: c.customerId, channel: c.channel, type: c.type, priority: c.priority, status: c.status,
    ownerId: c.ownerId, teamId: c.teamId, touchpoint: c.touchpoint ?? null, tags: c.tags, causedByDepartmentId: c.causedByDepartmentId ?? null,
    firstResponseDueAt: c.firstResponseDueAt, resolutionDueAt: c.resolutionDueAt,
  };
}
