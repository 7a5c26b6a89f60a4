import { z } from 'zod';
import type { App } from '../core/http/server';
import { ctxOf } from '../core/http/server';
import { inTransaction } from '../core/context';
import { updateSettings } from '../org';
import { IdParams, Instant, Text } from '../core/http/schemas';
import * as touchpoints from './service';
import { BEHIND, behindFigure, journeyMap, periodOf } from './map';

const Id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const TouchpointBody = z.strictObject({
  name: Text(100), key: Text(100).optional(), departmentId: Id.nullable().optional(), momentOfTruth: z.boolean().optional(), afterId: Id.nullable().optional(),
});
const PeriodQuery = { from: Instant.optional(), to: Instant.optional() };

export function touchpointRoutes(app: App) {
  app.get('/touchpoints', { config: { access: 'org:read' }, schema: { tags: ['journey'], summary: 'The customer journey: touchpoints in order' } },
    async (req) => ({ items: await touchpoints.listTouchpoints(ctxOf(req)) }));
  app.post('/touchpoints', {
    config: { access: 'org:admin' },
    schema: { tags: ['journey'], summary: 'Add a touchpoint (after another one; no duplicates, no cycles)', body: TouchpointBody },
  }, async (req, reply) => reply.code(201).send(await touchpoints.createTouchpoint(ctxOf(req), req.body)));
  app.patch('/touchpoints/:id', {
    config: { access: 'org:admin' },
    schema: { tags: ['journey'], params: IdParams, body: TouchpointBody.omit({ key: true }).partial().refine((b) => Object.keys(b).length > 0, 'nothing to change') },
  }, async (req) => touchpoints.updateTouchpoint(ctxOf(req), req.params.id, req.body));
  app.get('/touchpoints/unmapped', { config: { access: 'org:admin' }, schema: { tags: ['journey'], summary: 'Touchpoint values in use that match no touchpoint' } },
    async (req) => ({ items: await touchpoints.unmappedTouchpoints(ctxOf(req)) }));
  app.post('/touchpoints/:id/map', {
    config: { access: 'org:admin' },
    schema: { tags: ['journey'], summary: 'Every case, survey and answer naming this value names the touchpoint instead', params: IdParams, body: z.strictObject({ value: Text(100) }) },
  }, async (req) => touchpoints.mapTouchpointValue(ctxOf(req), req.params.id, req.body.value));

  app.get('/journey/map', {
    config: { access: 'figures:read' },
    schema: { tags: ['journey'], summary: 'The moments-of-truth map for a period (default: the last 30 days)', querystring: z.strictObject(PeriodQuery) },
  }, async (req) => { const ctx = ctxOf(req); return journeyMap(ctx, periodOf(ctx, req.query.from, req.query.to)); });
  app.get('/journey/behind', {
    config: { access: 'cases:read' },
    schema: { tags: ['journey'], summary: 'The customers and cases behind a figure of the map',
      querystring: z.strictObject({ ...PeriodQuery, figure: z.enum(BEHIND), touchpoint: Text(100).optional(), limit: z.coerce.number().int().min(1).max(500).default(200) }) },
  }, async (req) => { const ctx = ctxOf(req); return behindFigure(ctx, periodOf(ctx, req.query.from, req.query.to), req.query.figure, req.query.touchpoint, req.query.limit); });
  app.put('/journey/settings', {
    config: { access: 'org:admin' },
    schema: { tags: ['journey'], summary: 'How much more a bad experience weighs than a good one (default 7)', body: z.strictObject({ badExperienceWeight: z.number().min(1).max(20) }) },
  }, async (req) => inTransaction(ctxOf(req), async (tx) => {
    await updateSettings(tx, {}); // the organisation row exists from here on
    await tx.db.updateTable('organisation').set({ bad_experience_weight: req.body.badExperienceWeight }).execute();
    return { badExperienceWeight: req.body.badExperienceWeight };
  }));
}
