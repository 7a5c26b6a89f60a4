import { z } from 'zod';
import type { App } from '../core/http/server';
import { ctxOf } from '../core/http/server';
import { runIdempotent } from '../core/http/idempotency';
import { IdParams, Text } from '../core/http/schemas';
import { ROLES } from '../staff';
import * as decisions from './service';

const Currency = z.string().regex(/^[A-Z]{3}$/, 'a three-letter ISO currency code such as EUR');
const Amount = z.number().min(0).max(10_000_000).multipleOf(0.01);
const Kind = z.string().regex(/^[a-z_]{2,40}$/, 'lower-case letters and underscores');

export function decisionRoutes(app: App) {
  app.post('/cases/:id/decisions', {
    config: { access: 'cases:work' },
    schema: {
      tags: ['decisions'], summary: 'Make a goodwill decision; above your authority it becomes an approval request', params: IdParams,
      body: z.strictObject({ kind: Kind, amount: Amount, currency: Currency, reason: Text(2_000) }),
    },
  }, async (req, reply) => runIdempotent(ctxOf(req), req, reply, 201, (ctx) => decisions.recordDecision(ctx, req.params.id, req.body)));

  app.get('/decisions', {
    config: { access: 'cases:read' },
    schema: { tags: ['decisions'], querystring: z.strictObject({
      case: z.coerce.number().int().positive().optional(), approver: z.literal('me').optional(), requestedBy: z.literal('me').optional(),
      status: z.enum(['approved', 'pending', 'declined']).optional(), limit: z.coerce.number().int().min(1).max(200).default(50),
    }) },
  }, async (req) => ({ items: await decisions.listDecisions(ctxOf(req), {
    caseId: req.query.case, approverId: req.query.approver ? req.actor!.id : undefined, requestedById: req.query.requestedBy ? req.actor!.id : undefined,
    status: req.query.status, limit: req.query.limit,
  }) }));

  app.get('/decisions/figures', {
    config: { access: 'figures:read' },
    schema: { tags: ['decisions'], summary: 'Escalation rate, approval wait, share within authority', querystring: z.strictObject({ by: z.enum(['team', 'department', 'all']).default('all') }) },
  }, async (req) => ({ by: req.query.by, items: await decisions.decisionFigures(ctxOf(req), req.query.by) }));

  app.get('/decisions/:id', { config: { access: 'cases:read' }, schema: { tags: ['decisions'], params: IdParams } }, async (req) => decisions.getDecision(ctxOf(req), req.params.id));
  app.post('/decisions/:id/approve', { config: { access: 'cases:supervise' }, schema: { tags: ['decisions'], params: IdParams, body: z.strictObject({ note: z.string().max(2_000).optional() }).nullish() } },
    async (req) => decisions.approveDecision(ctxOf(req), req.params.id, req.body?.note));
  app.post('/decisions/:id/decline', { config: { access: 'cases:supervise' }, schema: { tags: ['decisions'], params: IdParams, body: z.strictObject({ reason: Text(2_000) }) } },
    async (req) => decisions.declineDecision(ctxOf(req), req.params.id, req.body.reason));

  app.get('/decision-kinds', { config: { access: 'org:read' }, schema: { tags: ['decisions'] } }, async (req) => ({ items: await decisions.listDecisionKinds(ctxOf(req)) }));
  app.post('/decision-kinds', { config: { access: 'org:admin' }, schema: { tags: ['decisions'], body: z.strictObject({ key: Kind, name: Text(100) }) } },
    async (req, reply) => runIdempotent(ctxOf(req), req, reply, 201, (ctx) => decisions.createDecisionKind(ctx, req.body)));
  app.get('/authority-limits', { config: { access: 'org:read' }, schema: { tags: ['decisions'] } }, async (req) => ({ items: await decisions.listAuthorityLimits(ctxOf(req)) }));
  app.put('/authority-limits', {
    config: { access: 'org:admin' },
    schema: { tags: ['decisions'], summary: 'Set the limit for a role or for one person', body: z.strictObject({ kind: Kind, role: z.enum(ROLES).optional(), staffId: z.number().int().positive().optional(), amount: Amount, currency: Currency })
      .refine((b) => !!b.role !== !!b.staffId, { message: 'give exactly one of role or staffId', path: ['role'] }) },
  }, async (req) => decisions.setAuthorityLimit(ctxOf(req), req.body));
  app.get('/policy-rules', { config: { access: 'org:read' }, schema: { tags: ['decisions'] } }, async (req) => ({ items: await decisions.listPolicyRules(ctxOf(req)) }));
  app.post('/policy-rules', {
    config: { access: 'org:admin' },
    schema: { tags: ['decisions'], summary: 'Benefit of the doubt: approve claims up to an amount for customers with no recent claim',
      body: z.strictObject({ kind: Kind, description: Text(500), maxAmount: Amount, currency: Currency, noClaimDays: z.number().int().min(0).max(3650) }) },
  }, async (req, reply) => runIdempotent(ctxOf(req), req, reply, 201, (ctx) => decisions.createPolicyRule(ctx, req.body)));
}
