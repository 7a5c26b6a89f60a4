/** Alerts for a staff member: an offer waiting, an offer that came back, a promise coming due. */
import type { Ctx } from '../core/context';
import { staffActor } from '../core/access';
import { NotFound } from '../core/errors';

export async function notify(ctx: Ctx, staffId: number, kind: string, message: string, caseId: number | null): Promise<void> {
  await ctx.db
    .insertInto('notifications')
    .values({ staff_id: staffId, kind, message, case_id: caseId, created_at: ctx.clock.now() })
    .execute();
}

export async function myNotifications(ctx: Ctx, opts: { unreadOnly: boolean; limit: number }) {
  const me = staffActor(ctx);
  let q = ctx.db
    .selectFrom('notifications')
    .select(['id', 'kind', 'case_id as caseId', 'message', 'created_at as createdAt', 'read_at as readAt'])
    .where('staff_id', '=', me.id);
  if (opts.unreadOnly) q = q.where('read_at', 'is', null);
  return q.orderBy('id', 'desc').limit(opts.limit).execute();
}

export async function markRead(ctx: Ctx, id: number): Promise<void> {
  const me = staffActor(ctx);
  const res = await ctx.db
    .updateTable('notifications')
    .set({ read_at: ctx.clock.now() })
    .where('id', '=', id)
    .where('staff_id', '=', me.id)
    .executeTakeFirst();
  if (!res.numUpdatedRows) throw new NotFound('Notification', id);
}

/** "Mark all read": every unread alert of mine, up to the newest I have seen. */
export async function markAllRead(ctx: Ctx, upToId?: number): Promise<number> {
  const me = staffActor(ctx);
  let q = ctx.db.updateTable('notifications').set({ read_at: ctx.clock.now() }).where('staff_id', '=', me.id).where('read_at', 'is', null);
  if (upToId) q = q.where('id', '<=', upToId);
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows);
}

export async function unreadCount(ctx: Ctx): Promise<number> {
  const me = staffActor(ctx);
  const row = await ctx.db.selectFrom('notifications').select((eb) => eb.fn.countAll<string>().as('n'))
    .where('staff_id', '=', me.id).where('read_at', 'is', null).executeTakeFirstOrThrow();
  return Number(row.n);
}
