/**
 * Saved views of Queues, kept on the server: a personal one is its owner's alone; a team's is
 * shared with the team's members and kept by its lead, managers and admins. Each comes with the
 * number of cases it matches now, for the person asking (capped: "10,000+").
 */
import type { Ctx } from '../core/context';
import { inTransaction } from '../core/context';
import { requireCaseWorker, requireTeamKeeper } from '../core/authority';
import { staffActor } from '../core/access';
import { Conflict, NotFound } from '../core/errors';
import { countCases, type CaseFilter } from '../cases';
import type { CaseStatus, Priority } from '../cases';
import type { Channel } from '../customers';
import type { ViewFilters } from './schema';

export const COUNT_CAP = 10_000;
const OPEN: CaseStatus[] = ['new', 'open', 'waiting_on_us', 'waiting_on_customer'];
const columns = ['saved_views.id', 'saved_views.name', 'saved_views.filters', 'saved_views.owner_id as ownerId',
  'saved_views.team_id as teamId', 'saved_views.updated_at as updatedAt'] as const;

/** The screen's filters as the case list's, for the person looking (the same mapping as Queues). */
export function caseFilterOf(f: ViewFilters, me: { id: number; teamId: number | null }, now: Date): Omit<CaseFilter, 'limit' | 'cursor'> {
  const out: Omit<CaseFilter, 'limit' | 'cursor'> = {};
  if (f.team) out.teamId = Number(f.team);
  if (f.search) out.q = f.search;
  if (f.tag) out.tag = f.tag;
  if (f.priority) out.priority = f.priority.split(',') as Priority[];
  if (f.channel) out.channel = f.channel.split(',') as Channel[];
  if (f.touchpoint) out.touchpoint = f.touchpoint;
  if (f.view === 'mine') out.ownerId = me.id;
  if (f.view === 'team' && !f.team && me.teamId) out.teamId = me.teamId;
  if (f.view === 'unowned') out.unowned = true;
  if (f.view === 'waiting') out.status = ['waiting_on_customer'];
  else if (f.view !== 'all' && f.view !== 'at-risk') out.status = OPEN;
  if (f.view === 'at-risk') out.dueBefore = new Date(now.getTime() + 2 * 3_600_000);
  return out;
}

/** My views and my team's, each with its count now. */
export async function myViews(ctx: Ctx) {
  const me = staffActor(ctx);
  const rows = await ctx.db.selectFrom('saved_views').select(columns)
    .where((eb) => eb.or([eb('owner_id', '=', me.id), ...(me.teamId ? [eb('team_id', '=', me.teamId)] : [])]))
    .orderBy('name').limit(100).execute();
  const now = ctx.clock.now();
  return Promise.all(rows.map(async (v) => ({ ...v, ...(await countCases(ctx, caseFilterOf(v.filters, me, now), COUNT_CAP)) })));
}

/** The view, if the actor may change it: their own, or their team's as its lead (managers and admins: any team's). */
async function editable(ctx: Ctx, id: number) {
  const me = requireCaseWorker(ctx);
  const v = await ctx.db.selectFrom('saved_views').select(columns).where('id', '=', id).forUpdate().executeTakeFirst();
  // Someone else's personal view is not there for you at all.
  if (!v || (v.ownerId && v.ownerId !== me.id)) throw new NotFound('View', id);
  if (v.teamId) await requireTeamKeeper(ctx, v.teamId, 'views');
  return v;
}

function unique(e: unknown, name: string): never {
  if (e instanceof Error && 'code' in e && (e as { code: string }).code === '23505') throw new Conflict(`There is already a view called "${name}" there`, [{ field: 'body.name', rule: 'conflict', message: 'name taken' }]);
  throw e;
}

export async function createView(ctx: Ctx, input: { name: string; filters: ViewFilters; teamId?: number | null }) {
  const me = requireCaseWorker(ctx);
  if (input.teamId) await requireTeamKeeper(ctx, input.teamId, 'views');
  return inTransaction(ctx, async (tx) => {
    const now = tx.clock.now();
    return tx.db.insertInto('saved_views').values({
      name: input.name, filters: JSON.stringify(input.filters), owner_id: input.teamId ? null : me.id, team_id: input.teamId ?? null,
      created_by_id: me.id, created_at: now, updated_at: now,
    }).returning(columns).executeTakeFirstOrThrow().catch((e: unknown) => unique(e, input.name));
  });
}

export async function updateView(ctx: Ctx, id: number, patch: { name?: string; filters?: ViewFilters }) {
  return inTransaction(ctx, async (tx) => {
    const v = await editable(tx, id);
    return tx.db.updateTable('saved_views').set({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.filters !== undefined ? { filters: JSON.stringify(patch.filters) } : {}),
      updated_at: tx.clock.now(),
    }).where('id', '=', v.id).returning(columns).executeTakeFirstOrThrow().catch((e: unknown) => unique(e, patch.name ?? v.name));
  });
}

export async function deleteView(ctx: Ctx, id: number) {
  return inTransaction(ctx, async (tx) => {
    await editable(tx, id);
    await tx.db.deleteFrom('saved_views').where('id', '=', id).execute();
  });
}
