/**
 * The customer journey: touchpoints in order (each follows at most one other), each owned by a
 * department and perhaps a moment of truth. Once a list exists, every touchpoint a case, survey
 * or touchpoint event names must be on it; values written before the list existed are listed for
 * an admin to map onto a touchpoint. Two touchpoints never share a name or key, and the "follows"
 * links never loop.
 */
import { sql } from 'kysely';
import type { Ctx } from '../core/context';
import { inTransaction } from '../core/context';
import { Conflict, Invalid, NotFound } from '../core/errors';
import { recordAudit } from '../audit';

export interface TouchpointInput {
  name: string;
  key?: string;
  departmentId?: number | null;
  momentOfTruth?: boolean;
  afterId?: number | null;
}

const columns = ['id', 'key', 'name', 'department_id as departmentId', 'moment_of_truth as momentOfTruth', 'after_id as afterId'] as const;

export const keyOf = (name: string) => name.trim().toLowerCase().replace(/\s+/g, ' ');

/** The journey in order: starts first, each touchpoint after the one it follows (ties by id). */
export async function listTouchpoints(ctx: Ctx) {
  const rows = await ctx.db.selectFrom('touchpoints').select(columns).orderBy('id').execute();
  const ordered: typeof rows = [];
  const placed = new Set<number>();
  const visit = (parent: number | null) => {
    for (const r of rows) if (r.afterId === parent && !placed.has(r.id)) { placed.add(r.id); ordered.push(r); visit(r.id); }
  };
  visit(null);
  return ordered.map((r, i) => ({ ...r, position: i + 1 }));
}

export type Touchpoint = Awaited<ReturnType<typeof listTouchpoints>>[number];

async function checkDepartment(ctx: Ctx, departmentId: number | null | undefined) {
  if (!departmentId) return;
  const d = await ctx.db.selectFrom('departments').select('id').where('id', '=', departmentId).executeTakeFirst();
  if (!d) throw new Invalid('body.departmentId', 'exists', `Department ${departmentId} does not exist`);
}

async function checkDuplicate(ctx: Ctx, key: string, name: string, exceptId?: number) {
  let q = ctx.db.selectFrom('touchpoints').select(['id', 'name']).where((eb) => eb.or([eb('key', '=', key), eb(sql`lower(name)`, '=', name.toLowerCase())]));
  if (exceptId) q = q.where('id', '<>', exceptId);
  const clash = await q.executeTakeFirst();
  if (clash) throw new Conflict(`There is already a touchpoint "${clash.name}": two touchpoints cannot share a name`, [{ field: 'body.name', rule: 'unique', message: 'already used' }]);
}

/** Following `afterId` from the new parent must never come back to the touchpoint itself. */
async function checkNoCycle(ctx: Ctx, id: number | null, afterId: number | null | undefined) {
  if (!afterId) return;
  const all = await ctx.db.selectFrom('touchpoints').select(['id', 'after_id', 'name']).execute();
  const byId = new Map(all.map((t) => [t.id, t]));
  if (!byId.has(afterId)) throw new Invalid('body.afterId', 'exists', `Touchpoint ${afterId} does not exist`);
  const seen = new Set<number>();
  for (let cur: number | null = afterId; cur; cur = byId.get(cur)?.after_id ?? null) {
    if (cur === id) throw new Invalid('body.afterId', 'no_cycle', `"${byId.get(id!)!.name}" cannot follow "${byId.get(afterId)!.name}": the journey would go round in a circle`);
    if (seen.has(cur)) break;
    seen.add(cur);
  }
}

export async function createTouchpoint(ctx: Ctx, input: TouchpointInput) {
  const key = keyOf(input.key ?? input.name);
  return inTransaction(ctx, async (tx) => {
    await checkDuplicate(tx, key, input.name);
    await checkDepartment(tx, input.departmentId);
    await checkNoCycle(tx, null, input.afterId);
    const row = await tx.db.insertInto('touchpoints').values({
      key, name: input.name.trim(), department_id: input.departmentId ?? null, moment_of_truth: input.momentOfTruth ?? false, after_id: input.afterId ?? null,
    }).returning(columns).executeTakeFirstOrThrow();
    await recordAudit(tx, 'touchpoint', row.id, 'create', null, row);
    return row;
  });
}

export async function updateTouchpoint(ctx: Ctx, id: number, patch: Omit<Partial<TouchpointInput>, 'key'>) {
  return inTransaction(ctx, async (tx) => {
    const before = await tx.db.selectFrom('touchpoints').select(columns).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!before) throw new NotFound('Touchpoint', id);
    if (patch.name !== undefined) await checkDuplicate(tx, before.key, patch.name, id);
    await checkDepartment(tx, patch.departmentId);
    if (patch.afterId === id) throw new Invalid('body.afterId', 'no_cycle', 'A touchpoint cannot follow itself');
    await checkNoCycle(tx, id, patch.afterId);
    const row = await tx.db.updateTable('touchpoints').set({
      ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
      ...(patch.departmentId !== undefined ? { department_id: patch.departmentId } : {}),
      ...(patch.momentOfTruth !== undefined ? { moment_of_truth: patch.momentOfTruth } : {}),
      ...(patch.afterId !== undefined ? { after_id: patch.afterId } : {}),
    }).where('id', '=', id).returning(columns).executeTakeFirstOrThrow();
    await recordAudit(tx, 'touchpoint', id, 'update', before, row);
    return row;
  });
}

/**
 * The key to store for a touchpoint someone named (by key or name, any case). Without a list,
 * free text is kept as it was; with one, an unknown touchpoint is refused naming `field`.
 */
export async function resolveTouchpoint(ctx: Ctx, value: string | null | undefined, field: string): Promise<string | null | undefined> {
  if (value === null || value === undefined) return value;
  const list = await ctx.db.selectFrom('touchpoints').select(['key', 'name']).execute();
  if (!list.length) return value;
  const wanted = keyOf(value);
  const hit = list.find((t) => t.key === wanted || keyOf(t.name) === wanted);
  if (!hit) throw new Invalid(field, 'touchpoint', `"${value}" is not a touchpoint of the journey (${list.map((t) => t.key).join(', ')})`);
  return hit.key;
}

const TEXT_TABLES = ['cases', 'surveys', 'survey_invitations', 'survey_responses'] as const;

/** Values stored before the journey existed (or since renamed away) that match no touchpoint. */
export async function unmappedTouchpoints(ctx: Ctx) {
  const counts = new Map<string, Record<string, number>>();
  for (const table of TEXT_TABLES) {
    const rows = await sql<{ value: string; n: number }>`SELECT t.touchpoint AS value, count(*)::int AS n FROM ${sql.table(table)} t
      WHERE t.touchpoint IS NOT NULL AND NOT EXISTS (SELECT 1 FROM touchpoints p WHERE p.key = t.touchpoint) GROUP BY 1`.execute(ctx.db);
    for (const r of rows.rows) counts.set(r.value, { ...(counts.get(r.value) ?? {}), [table]: r.n });
  }
  return [...counts].map(([value, uses]) => ({ value, uses, total: Object.values(uses).reduce((a, b) => a + b, 0) }))
    .sort((a, b) => b.total - a.total || a.value.localeCompare(b.value));
}

/** Every record naming `value` now names the touchpoint instead. */
export async function mapTouchpointValue(ctx: Ctx, id: number, value: string) {
  return inTransaction(ctx, async (tx) => {
    const tp = await tx.db.selectFrom('touchpoints').select(['id', 'key']).where('id', '=', id).executeTakeFirst();
    if (!tp) throw new NotFound('Touchpoint', id);
    const changed: Record<string, number> = {};
    for (const table of TEXT_TABLES) {
      const r = await sql`UPDATE ${sql.table(table)} SET touchpoint = ${tp.key} WHERE touchpoint = ${value}`.execute(tx.db);
      changed[table] = Number(r.numAffectedRows ?? 0);
    }
    if (!Object.values(changed).some(Boolean)) throw new Invalid('body.value', 'unmapped', `Nothing refers to the touchpoint "${value}"`);
    await recordAudit(tx, 'touchpoint', id, 'map', { value }, changed);
    return { touchpointId: id, key: tp.key, value, changed };
  });
}
