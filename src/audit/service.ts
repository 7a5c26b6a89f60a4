/**
 * The audit trail: every change to a case, commitment or hand-over records who, what, when,
 * and the values before and after. Written in the same transaction as the change itself.
 */
import type { Ctx } from '../core/context';
import { actorId } from '../core/context';
import { writeLater } from '../core/db/pipeline';

export type AuditedEntity = 'case' | 'commitment' | 'handover' | 'customer' | 'staff' | 'organisation' | 'standard' | 'team' | 'department' | 'recovery' | 'decision' | 'authority' | 'mailbox' | 'webhook' | 'touchpoint' | 'kudos';

export async function recordAudit(
  ctx: Ctx,
  entity: AuditedEntity,
  entityId: number,
  action: string,
  before: unknown,
  after: unknown,
): Promise<void> {
  // No answer is read: in a transaction it goes with the command's next statement or its COMMIT.
  await writeLater(ctx.db, ctx.db
    .insertInto('audit_log')
    .values({
      at: ctx.clock.now(),
      actor_id: actorId(ctx),
      entity,
      entity_id: entityId,
      action,
      before: before === null || before === undefined ? null : JSON.stringify(before),
      after: after === null || after === undefined ? null : JSON.stringify(after),
    }));
}

/** Only the fields that changed, so the trail reads as "status: open → resolved". */
export function changedFields<T extends object>(before: T, after: Partial<T>): { before: Partial<T>; after: Partial<T> } {
  const b: Partial<T> = {};
  const a: Partial<T> = {};
  for (const key of Object.keys(after) as (keyof T)[]) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      b[key] = before[key];
      a[key] = after[key] as T[keyof T];
    }
  }
  return { before: b, after: a };
}

export async function auditTrail(ctx: Ctx, entity: AuditedEntity, entityId: number) {
  return ctx.db
    .selectFrom('audit_log')
    .leftJoin('staff', 'staff.id', 'audit_log.actor_id')
    .select(['audit_log.id', 'audit_log.at', 'audit_log.actor_id as actorId', 'staff.name as actorName',
      'audit_log.entity', 'audit_log.entity_id as entityId', 'audit_log.action', 'audit_log.before', 'audit_log.after'])
    .where('audit_log.entity', '=', entity)
    .where('audit_log.entity_id', '=', entityId)
    .orderBy('audit_log.id')
    .execute();
}
