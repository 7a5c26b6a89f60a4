import { z } from 'zod';
import type { App } from '../core/http/server';
import { ctxOf } from '../core/http/server';
import { runIdempotent } from '../core/http/idempotency';
import { IdParams, Text } from '../core/http/schemas';
import { getCase } from '../cases';
import * as handovers from './service';

const Id = z.number().int().positive();

export function handoverRoutes(app: App) {
  app.post('/cases/:id/handovers', {
    config: { access: 'cases:work' },
    schema: {
      tags: ['handovers'],
      summary: 'Offer the case to a colleague or a team; the owner changes only when they accept',
      params: IdParams,
      body: z.strictObject({ toStaffId: Id.optional(), toTeamId: Id.optional(), note: Text(10_000) })
        .refine((b) => !!b.toStaffId !== !!b.toTeamId, { message: 'give exactly one of toStaffId or toTeamId', path: ['toStaffId'] }),
    },
  }, async (req, reply) => runIdempotent(ctxOf(req), req, reply, 201, (ctx) => handovers.offerHandover(ctx, req.params.id, req.body)));

  app.get('/cases/:id/handovers', { config: { access: 'cases:read' }, schema: { tags: ['handovers'], params: IdParams } }, async (req) => {
    const ctx = ctxOf(req);
    await getCase(ctx, req.params.id);
    const [items, figures] = await Promise.all([
      handovers.listHandovers(ctx, { caseId: req.params.id, limit: 500 }),
      handovers.handoverFigures(ctx, req.params.id),
    ]);
    return { items, figures };
  });

  app.get('/handovers', {
    config: { access: 'cases:read' },
    schema: {
      tags: ['handovers'],
      querystring: z.strictObject({
        to: z.literal('me').optional(),
        status: z.enum(['pending', 'accepted', 'declined', 'expired', 'withdrawn']).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
      }),
    },
  }, async (req) => ({ items: await handovers.listHandovers(ctxOf(req), { toMe: req.query.to === 'me', status: req.query.status, limit: req.query.limit }) }));

  app.get('/handovers/:id', { config: { access: 'cases:read' }, schema: { tags: ['handovers'], params: IdParams } },
    async (req) => handovers.getHandover(ctxOf(req), req.params.id));

  app.post('/handovers/:id/accept', { config: { access: 'cases:work' }, schema: { tags: ['handovers'], params: IdParams } },
    async (req) => handovers.acceptHandover(ctxOf(req), req.params.id));

  app.post('/handovers/:id/decline', {
    config: { access: 'cases:work' },
    schema: { tags: ['handovers'], params: IdParams, body: z.strictObject({ reason: Text(5_000) }) },
  }, async (req) => handovers.declineHandover(ctxOf(req), req.params.id, req.body.reason));

  app.post('/handovers/:id/withdraw', { config: { access: 'cases:work' }, schema: { tags: ['handovers'], params: IdParams } },
    async (req) => handovers.withdrawHandover(ctxOf(req), req.params.id));
}
