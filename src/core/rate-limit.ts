/**
 * Rate limits for public endpoints (the web form, magic links), counted in PostgreSQL so the
 * limit holds across every app instance on the same database. Each hit is a row per key; a
 * hit over any key's limit within the window is refused with 429 and Retry-After (the time
 * until the oldest counted hit ages out), and a refused hit is not counted, so a flood does not
 * extend its own lock. The hit row is written first and the rows before it counted, so a burst
 * of parallel requests cannot all slip under the limit.
 */
import type { Ctx } from './context';
import { TooManyRequests } from './errors';

export interface Limit { key: string; max: number; windowMs: number }

export async function countHit(ctx: Ctx, limits: Limit[], message: string): Promise<void> {
  if (!limits.length) return;
  const now = ctx.clock.now();
  const longest = Math.max(...limits.map((l) => l.windowMs));
  await ctx.db.deleteFrom('public_hits').where('at', '<=', new Date(now.getTime() - longest)).execute();
  const rows = await ctx.db.insertInto('public_hits').values(limits.map((l) => ({ key: l.key, at: now }))).returning(['id', 'key']).execute();
  let retryAt: Date | null = null;
  for (const [i, row] of rows.entries()) {
    const limit = limits[i]!;
    const blocking = await ctx.db.selectFrom('public_hits').select('at')
      .where('key', '=', row.key)
      .where('at', '>', new Date(now.getTime() - limit.windowMs))
      .where('id', '<', row.id)
      .orderBy('at', 'desc')
      .offset(limit.max - 1)
      .limit(1)
      .executeTakeFirst();
    if (blocking) {
      const at = new Date(new Date(blocking.at).getTime() + limit.windowMs);
      if (!retryAt || at > retryAt) retryAt = at;
    }
  }
  if (retryAt) {
    await ctx.db.deleteFrom('public_hits').where('id', 'in', rows.map((r) => r.id)).execute();
    throw new TooManyRequests(message, Math.max(1, Math.ceil((retryAt.getTime() - now.getTime()) / 1000)));
  }
}
