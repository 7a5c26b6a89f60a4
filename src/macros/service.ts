/**
 * Macros (canned replies), personal or for a team. Anyone who works cases keeps their own; a
 * team's macros are written by its lead, a manager or an admin, and used by its members.
 * Placeholders are filled in by the composer from the case on screen.
 */
import type { Ctx } from '../core/context';
import { inTransaction } from '../core/context';
import { requireCaseWorker, requireTeamKeeper } from '../core/authority';
import { NotFound } from '../core/errors';

const columns = ['macros.id', 'macros.name', 'macros.body', 'macros.owner_id as ownerId', 'macros.team_id as teamId', 'macros.created_at as createdAt'] as const;

export async function myMacros(ctx: Ctx) {
  const me = requireCaseWorker(ctx);
  return ctx.db.selectFrom('macros').select(columns)
    .where((eb) => eb.or([eb('owner_id', '=', me.id), ...(me.teamId ? [eb('team_id', '=', me.teamId)] : [])]))
    .orderBy('name').limit(500).execute();
}

export async function createMacro(ctx: Ctx, input: { name: string; body: string; teamId?: number | null }) {
  const me = requireCaseWorker(ctx);
  if (input.teamId) await requireTeamKeeper(ctx, input.teamId, 'macros');
  return inTransaction(ctx, async (tx) => {
    return tx.db.insertInto('macros').values({
      name: input.name, body: input.body, owner_id: input.teamId ? null : me.id, team_id: input.teamId ?? null,
      created_by_id: me.id, created_at: tx.clock.now(),
    }).returning(columns).executeTakeFirstOrThrow();
  });
}

/** The macro, locked, if the actor may change it: their own, or their team's as its lead (managers and admins: any team's). */
async function editable(ctx: Ctx, id: number) {
  const me = requireCaseWorker(ctx);
  const m = await ctx.db.selectFrom('macros').select(columns).where('id', '=', id).forUpdate().executeTakeFirst();
  // Someone else's personal macro is not there for you at all.
  if (!m || (m.ownerId && m.ownerId !== me.id)) throw new NotFound('Macro', id);
  if (m.teamId) await requireTeamKeeper(ctx, m.teamId, 'macros');
  return m;
}

export async function updateMacro(ctx: Ctx, id: number, patch: { name?: string; body?: string }) {
  return inTransaction(ctx, async (tx) => {
    await editable(tx, id);
    return tx.db.updateTable('macros').set({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.body !== undefined ? { body: patch.body } : {}),
      updated_at: tx.clock.now(),
    }).where('id', '=', id).returning(columns).executeTakeFirstOrThrow();
  });
}

export async function deleteMacro(ctx: Ctx, id: number) {
  return inTransaction(ctx, async (tx) => {
    await editable(tx, id);
    await tx.db.deleteFrom('macros').where('id', '=', id).execute();
  });
}
