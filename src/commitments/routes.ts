import { z } from 'zod';
import type { App } from '../core/http/server';
import { ctxOf } from '../core/http/server';
import { runIdempotent } from '../core/http/idempotency';
import { IdParams, Instant, listOf, Text } from '../core/http/schemas';
import { decodeCursor, PageQuery, toPage } from '../core/pagination';
import { getCase } from '../cases';
import * as commitments from './service';

const STATUS = ['open', 'kept', 'renegotiated', 'broken'] as const;
const KIND = ['promise', 'first_response', 'resolution'] as const;

export function commitmentRoutes(app: App) {
  app.post('/cases/:id/commitments', {
    config: { access: 'cases:work' },
    schema: {
      tags: ['commitments'],
      summary: 'Make a promise to the customer',
      params: IdParams,
      body: z.strictObject({ text: Text(2_000), dueAt: Instant, ownerId: z.number().int().positive().optional() }),
    },
  }, async (req, reply) => runIdempotent(ctxOf(req), req, reply, 201, async (ctx) => {
    const c = await getCase(ctx, req.params.id);
    return commitments.makeCommitment(ctx, { caseId: c.id, customerId: c.customerId, ...req.body });
  }));

  app.get('/commitments', {
    config: { access: 'cases:read' },
    schema: {
      tags: ['commitments'],
      querystring: z.strictObject({
        owner: z.union([z.literal('me'), z.coerce.number().int().positive()]).optional(),
        case: z.coerce.number().int().positive().optional(),
        status: listOf(z.enum(STATUS)).optional(),
        kind: z.enum(KIND).optional(),
        dueBefore: Instant.optional(),
        ...PageQuery,
      }),
    },
  }, async (req) => {
    const q = req.query;
    const rows = await commitments.listCommitments(ctxOf(req), {
      ownerId: q.owner === 'me' ? req.actor!.id : q.owner,
      caseId: q.case,
      status: q.status,
      kind: q.kind,
      dueBefore: q.dueBefore,
      limit: q.limit,
      afterId: decodeCursor(q.cursor),
    });
    return toPage(rows, q.limit);
  });

  app.get('/commitments/kept-rate', {
    config: { access: 'figures:read' },
    schema: {
      tags: ['commitments'],
      summary: 'Promise-kept rate per person, team or department',
      querystring: z.strictObject({ by: z.enum(['person', 'team', 'department']).default('person'), kind: z.enum(KIND).optional(), from: Instant.optional(), to: Instant.optional() }),
    },
  }, async (req) => ({ by: req.query.by, items: await commitments.keptRate(ctxOf(req), req.query) }));

  app.get('/commitments/:id', { config: { access: 'cases:read' }, schema: { tags: ['commitments'], params: IdParams } }, async (req) => {
    const ctx = ctxOf(req);
    const c = await commitments.getCommitment(ctx, req.params.id);
    return { ...c, renegotiations: await commitments.renegotiationsOf(ctx, c.id) };
  });

  app.post('/commitments/:id/keep', {
    config: { access: 'cases:work' },
    schema: { tags: ['commitments'], params: IdParams, body: z.strictObject({ note: z.string().max(5_000).optional() }).nullish() },
  }, async (req) => commitments.keepCommitment(ctxOf(req), req.params.id, req.body?.note));

  app.post('/commitments/:id/renegotiate', {
    config: { access: 'cases:work' },
    schema: {
      tags: ['commitments'],
      summary: 'Move the due time; only with the customer told',
      params: IdParams,
      body: z.strictObject({
        newDueAt: Instant,
        customerTold: z.literal(true, { message: 'a promise is renegotiated only after the customer was told' }),
        customerToldHow: Text(500),
        customerToldAt: Instant.optional(),
        note: z.string().max(5_000).optional(),
      }),
    },
  }, async (req) => commitments.renegotiateCommitment(ctxOf(req), req.params.id, req.body));
}
