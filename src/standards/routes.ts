import { z } from 'zod';
import type { App } from '../core/http/server';
import { ctxOf } from '../core/http/server';
import { runIdempotent } from '../core/http/idempotency';
import { IdParams, Instant } from '../core/http/schemas';
import { CHANNELS } from '../customers';
import * as standards from './service';

const Minutes = z.number().int().min(1).max(60 * 24 * 365);
const StandardBody = z.strictObject({
  caseType: z.string().trim().min(1).max(100).nullable().optional(),
  channel: z.enum(CHANNELS).nullable().optional(),
  firstResponseMinutes: Minutes,
  resolutionMinutes: Minutes,
}).refine((s) => s.resolutionMinutes >= s.firstResponseMinutes, { message: 'resolution cannot come before the first response', path: ['resolutionMinutes'] });

export function standardsRoutes(app: App) {
  app.get('/standards', { config: { access: 'org:read' }, schema: { tags: ['standards'] } }, async (req) => ({ items: await standards.listStandards(ctxOf(req)) }));
  app.post('/standards', { config: { access: 'org:admin' }, schema: { tags: ['standards'], body: StandardBody } },
    async (req, reply) => runIdempotent(ctxOf(req), req, reply, 201, (ctx) => standards.createStandard(ctx, req.body)));
  app.patch('/standards/:id', {
    config: { access: 'org:admin' },
    schema: { tags: ['standards'], params: IdParams, body: z.strictObject({ firstResponseMinutes: Minutes, resolutionMinutes: Minutes }).partial() },
  }, async (req) => standards.updateStandard(ctxOf(req), req.params.id, req.body));
  app.delete('/standards/:id', { config: { access: 'org:admin' }, schema: { tags: ['standards'], params: IdParams } }, async (req, reply) => {
    await standards.deleteStandard(ctxOf(req), req.params.id);
    return reply.status(204).send();
  });
  app.get('/standards/expectation', {
    config: { access: 'org:read' },
    schema: {
      tags: ['standards'],
      summary: 'What a customer would be told for a case opened at a given time',
      querystring: z.strictObject({ caseType: z.string().min(1).max(100).default('question'), channel: z.enum(CHANNELS), at: Instant.optional() }),
    },
  }, async (req) => {
    const ctx = ctxOf(req);
    const openedAt = req.query.at ?? ctx.clock.now();
    const e = await standards.expectationFor(ctx, { caseType: req.query.caseType, channel: req.query.channel, openedAt });
    return { openedAt, standardId: e?.standardId ?? null, firstResponseDueAt: e?.firstResponseDueAt ?? null, resolutionDueAt: e?.resolutionDueAt ?? null };
  });
}
