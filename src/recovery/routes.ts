import { z } from 'zod';
import type { App } from '../core/http/server';
import { ctxOf } from '../core/http/server';
import { runIdempotent } from '../core/http/idempotency';
import { IdParams, Instant, Text } from '../core/http/schemas';
import * as recovery from './service';

export function recoveryRoutes(app: App) {
  app.post('/cases/:id/recoveries', {
    config: { access: 'cases:work' },
    schema: { tags: ['recovery'], summary: '"This was our OOPS": open a recovery by hand', params: IdParams, body: z.strictObject({ note: Text(2_000) }) },
  }, async (req, reply) => runIdempotent(ctxOf(req), req, reply, 201, (ctx) => recovery.flagOops(ctx, req.params.id, req.body.note)));

  app.get('/recoveries', {
    config: { access: 'cases:read' },
    schema: { tags: ['recovery'], querystring: z.strictObject({
      owner: z.literal('me').optional(), case: z.coerce.number().int().positive().optional(), department: z.coerce.number().int().positive().optional(),
      status: z.enum(['open', 'recovered', 'late']).optional(), limit: z.coerce.number().int().min(1).max(500).default(100),
    }) },
  }, async (req) => ({ items: await recovery.listRecoveries(ctxOf(req), {
    ownerId: req.query.owner ? req.actor!.id : undefined, caseId: req.query.case, departmentId: req.query.department, status: req.query.status, limit: req.query.limit,
  }) }));

  app.get('/recoveries/figures', {
    config: { access: 'figures:read' },
    schema: { tags: ['recovery'], summary: 'Recoveries by source, % fixed within 24 h, time to fix, surprise rate, loyalty before and after',
      querystring: z.strictObject({ from: Instant.optional(), to: Instant.optional(), department: z.coerce.number().int().positive().optional() }) },
  }, async (req) => recovery.recoveryFigures(ctxOf(req), { from: req.query.from, to: req.query.to, departmentId: req.query.department }));

  app.get('/recoveries/:id', { config: { access: 'cases:read' }, schema: { tags: ['recovery'], params: IdParams } }, async (req) => recovery.getRecovery(ctxOf(req), req.params.id));

  app.patch('/recoveries/:id', {
    config: { access: 'cases:work' },
    schema: { tags: ['recovery'], summary: 'Name the department whose work caused it', params: IdParams, body: z.strictObject({ causedByDepartmentId: z.number().int().positive().nullable() }) },
  }, async (req) => recovery.nameRootCause(ctxOf(req), req.params.id, req.body.causedByDepartmentId));
  app.post('/recoveries/:id/apology', { config: { access: 'cases:work' }, schema: { tags: ['recovery'], summary: 'The apology was made (how)', params: IdParams, body: z.strictObject({ how: Text(2_000) }) } },
    async (req) => recovery.recordStep(ctxOf(req), req.params.id, { step: 'apology', how: req.body.how }));
  app.post('/recoveries/:id/fix', { config: { access: 'cases:work' }, schema: { tags: ['recovery'], summary: 'The fix is done (what); within 24 h it is recovered, after that late', params: IdParams, body: z.strictObject({ what: Text(2_000) }) } },
    async (req) => recovery.recordStep(ctxOf(req), req.params.id, { step: 'fix', what: req.body.what }));
  app.post('/recoveries/:id/surprise', {
    config: { access: 'cases:work' },
    schema: { tags: ['recovery'], summary: 'A gesture the customer did not expect (optionally an approved decision)', params: IdParams,
      body: z.strictObject({ what: Text(2_000), decisionId: z.number().int().positive().optional() }) },
  }, async (req) => recovery.recordStep(ctxOf(req), req.params.id, { step: 'surprise', what: req.body.what, decisionId: req.body.decisionId }));
  app.post('/recoveries/:id/follow-up', {
    config: { access: 'cases:work' },
    schema: { tags: ['recovery'], summary: "The customer's answer: how likely they are to keep doing business with us (0-10)", params: IdParams,
      body: z.strictObject({ loyaltyAfter: z.number().int().min(0).max(10), note: z.string().max(2_000).optional() }) },
  }, async (req) => recovery.recordFollowUp(ctxOf(req), req.params.id, req.body));
}
