import { z } from 'zod';
import { DateTime } from 'luxon';
import type { App } from '../core/http/server';
import { ctxOf } from '../core/http/server';
import type { Ctx } from '../core/context';
import { inTransaction } from '../core/context';
import { runIdempotent } from '../core/http/idempotency';
import { IdParams, Text } from '../core/http/schemas';
import { getSettings, updateSettings } from '../org';
import { serviceStars, STAR_CATEGORIES } from './service';
import { giveKudos, kudosFeed } from './kudos';

const Month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month such as 2026-05');

export async function monthPeriod(ctx: Ctx, month?: string) {
  const { timeZone } = await getSettings(ctx);
  const start = month ? DateTime.fromFormat(month, 'yyyy-MM', { zone: timeZone }) : DateTime.fromJSDate(ctx.clock.now(), { zone: timeZone }).startOf('month');
  return { month: start.toFormat('yyyy-MM'), from: start.toJSDate(), to: start.plus({ months: 1 }).toJSDate(), start };
}

export function starRoutes(app: App) {
  app.get('/stars', {
    config: { access: 'figures:read' },
    schema: { tags: ['stars'], summary: 'Service stars of a month (default: this month), shrunk toward the team rate', querystring: z.strictObject({ month: Month.optional() }) },
  }, async (req) => {
    const ctx = ctxOf(req);
    const p = await monthPeriod(ctx, req.query.month);
    return { month: p.month, ...(await serviceStars(ctx, p)) };
  });
  app.get('/stars/staff/:id', {
    config: { access: 'figures:read' },
    schema: { tags: ['stars'], summary: "A person's recognition: the last six months and the kudos they received", params: IdParams, querystring: z.strictObject({ month: Month.optional() }) },
  }, async (req) => {
    const ctx = ctxOf(req);
    const p = await monthPeriod(ctx, req.query.month);
    // The six months at once: each reads its days of the daily figures.
    const months = await Promise.all([5, 4, 3, 2, 1, 0].map(async (i) => {
      const start = p.start.minus({ months: i });
      const stars = await serviceStars(ctx, { from: start.toJSDate(), to: start.plus({ months: 1 }).toJSDate() });
      const me = stars.people.find((x) => x.staffId === req.params.id) ?? null;
      return { month: start.toFormat('yyyy-MM'), score: me?.score ?? null, low: me?.low ?? null, high: me?.high ?? null, moments: me?.moments ?? 0, star: me?.star ?? false, categories: me?.categories ?? null };
    }));
    const staff = await ctx.db.selectFrom('staff').select(['id', 'name']).where('id', '=', req.params.id).executeTakeFirst();
    return { staffId: req.params.id, name: staff?.name ?? null, months, kudos: (await kudosFeed(ctx, { toStaffId: req.params.id, limit: 20 })).items };
  });
  app.put('/stars/settings', {
    config: { access: 'org:admin' },
    schema: { tags: ['stars'], summary: 'Switch star categories off (there is no sales category to switch on)', body: z.strictObject({ excludedCategories: z.array(z.enum(STAR_CATEGORIES)).max(STAR_CATEGORIES.length) }) },
  }, async (req) => inTransaction(ctxOf(req), async (tx) => {
    await updateSettings(tx, {}); // the organisation row exists from here on
    const excluded = [...new Set(req.body.excludedCategories)];
    await tx.db.updateTable('organisation').set({ star_excluded_categories: excluded }).execute();
    return { excludedCategories: excluded };
  }));

  app.post('/kudos', {
    config: { access: 'self' },
    schema: { tags: ['stars'], summary: 'Kudos to a colleague, with the reason (never to oneself)',
      body: z.strictObject({ toStaffId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER), reason: Text(2_000), caseId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional() }) },
  }, async (req, reply) => runIdempotent(ctxOf(req), req, reply, 201, (ctx) => giveKudos(ctx, req.body)));
  app.get('/kudos', {
    config: { access: 'figures:read' },
    schema: { tags: ['stars'], summary: 'The kudos feed, newest first', querystring: z.strictObject({
      to: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(), limit: z.coerce.number().int().min(1).max(200).default(50),
      cursor: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional() }) },
  }, async (req) => kudosFeed(ctxOf(req), { toStaffId: req.query.to, limit: req.query.limit, before: req.query.cursor }));
}
