import { z } from 'zod';
import type { App } from '../core/http/server';
import { ctxOf } from '../core/http/server';
import { runIdempotent } from '../core/http/idempotency';
import { IdParams, Instant, listOf, Text } from '../core/http/schemas';
import { PageQuery } from '../core/pagination';
import { can } from '../core/access';
import { Forbidden } from '../core/errors';
import { CHANNELS } from '../customers';
import { CustomerBody } from '../customers/routes';
import { caseTimeline } from '../timeline';
import { auditTrail } from '../audit';
import { PRIORITIES, STATUSES } from './schema';
import * as cases from './service';

const Tag = z.string().trim().min(1).max(50);
const Id = z.number().int().positive();

const NewCaseBody = z.strictObject({
  subject: Text(300),
  customerId: Id.optional(),
  customer: CustomerBody.optional(),
  channel: z.enum(CHANNELS),
  type: z.string().trim().min(1).max(100).optional(),
  priority: z.enum(PRIORITIES).optional(),
  ownerId: Id.nullable().optional(),
  teamId: Id.nullable().optional(),
  touchpoint: z.string().trim().max(100).nullable().optional(),
  causedByDepartmentId: Id.nullable().optional(),
  requesterDepartmentId: Id.nullable().optional(),
  tags: z.array(Tag).max(30).optional(),
  message: z.string().max(100_000).optional(),
  openedAt: Instant.optional(),
}).refine((b) => b.customerId || b.customer, { message: 'give customerId or customer', path: ['customerId'] });

const PatchBody = z.strictObject({
  subject: Text(300),
  type: z.string().trim().min(1).max(100),
  priority: z.enum(PRIORITIES),
  status: z.enum(STATUSES).exclude(['new']),
  teamId: Id.nullable(),
  touchpoint: z.string().trim().max(100).nullable(),
  causedByDepartmentId: Id.nullable(),
  tags: z.array(Tag).max(30),
}).partial();

const MessageBody = z.strictObject({ body: z.string().trim().min(1).max(100_000) });
/** A reply may carry files uploaded first with POST /cases/{id}/attachments. */
const ReplyBody = MessageBody.extend({ attachmentIds: z.array(Id).max(20).optional() });
/** Notes and call summaries are internal unless marked public: then the customer sees them in the portal. */
const NoteBody = MessageBody.extend({ public: z.boolean().optional() });
const CallBody = z.strictObject({
  body: z.string().trim().min(1).max(100_000),
  direction: z.enum(['inbound', 'outbound']).default('inbound'),
  durationSeconds: z.number().int().min(0).max(86_400).optional(),
  public: z.boolean().optional(),
});

const ListQuery = z.strictObject({
  owner: z.union([z.literal('me'), z.coerce.number().int().positive()]).optional(),
  unowned: z.enum(['true']).optional(),
  status: listOf(z.enum(STATUSES)).optional(),
  team: z.coerce.number().int().positive().optional(),
  customer: z.coerce.number().int().positive().optional(),
  dueBefore: Instant.optional(),
  tag: Tag.optional(),
  priority: listOf(z.enum(PRIORITIES)).optional(),
  channel: listOf(z.enum(CHANNELS)).optional(),
  touchpoint: z.string().trim().min(1).max(100).optional(),
  q: z.string().trim().min(1).max(200).optional(),
  ...PageQuery,
});

export function caseRoutes(app: App) {
  app.get('/cases', { config: { access: 'cases:read' }, schema: { tags: ['cases'], querystring: ListQuery } }, async (req) => {
    const q = req.query;
    return cases.listCases(ctxOf(req), {
      ownerId: q.owner === 'me' ? req.actor!.id : q.owner,
      unowned: q.unowned === 'true',
      status: q.status,
      teamId: q.team,
      customerId: q.customer,
      dueBefore: q.dueBefore,
      tag: q.tag,
      priority: q.priority,
      channel: q.channel,
      touchpoint: q.touchpoint,
      q: q.q,
      limit: q.limit,
      cursor: q.cursor,
    });
  });

  app.get('/case-counts', {
    config: { access: 'cases:read' },
    schema: { tags: ['cases'], summary: 'Counts for the standard views: mine, team, unowned, at risk (due before atRiskBefore), waiting on customer, open',
      querystring: z.strictObject({ atRiskBefore: Instant }) },
  }, async (req) => cases.viewCounts(ctxOf(req), req.query.atRiskBefore));

  app.get('/workload', { config: { access: 'cases:read' }, schema: { tags: ['cases'], summary: 'Open cases per owner' } },
    async (req) => ({ items: await cases.workload(ctxOf(req)) }));

  app.post('/cases', { config: { access: 'cases:work' }, schema: { tags: ['cases'], body: NewCaseBody } }, async (req, reply) => {
    if (req.body.openedAt && !can(req.actor, 'cases:import')) throw new Forbidden('Only managers and admins may import cases with a past openedAt');
    return runIdempotent(ctxOf(req), req, reply, 201, (ctx) => cases.openCase(ctx, req.body));
  });

  app.get('/cases/:id', { config: { access: 'cases:read' }, schema: { tags: ['cases'], params: IdParams } }, async (req) => {
    return cases.getCaseView(ctxOf(req), req.params.id);
  });

  app.patch('/cases/:id', { config: { access: 'cases:work' }, schema: { tags: ['cases'], params: IdParams, body: PatchBody } },
    async (req) => cases.updateCase(ctxOf(req), req.params.id, req.body));

  app.post('/cases/:id/take', { config: { access: 'cases:work' }, schema: { tags: ['cases'], summary: 'Take an unowned case from its queue', params: IdParams } },
    async (req) => cases.takeCase(ctxOf(req), req.params.id));

  app.get('/cases/:id/timeline', {
    config: { access: 'cases:read' },
    schema: { tags: ['cases'], params: IdParams, querystring: z.strictObject({ after: z.coerce.number().int().positive().optional(), limit: z.coerce.number().int().min(1).max(500).default(200) }) },
  }, async (req) => {
    const ctx = ctxOf(req);
    await cases.getCase(ctx, req.params.id);
    return { items: await caseTimeline(ctx, req.params.id, { afterId: req.query.after, limit: req.query.limit }) };
  });

  app.get('/cases/:id/audit', { config: { access: 'audit:read' }, schema: { tags: ['cases'], params: IdParams } }, async (req) => {
    const ctx = ctxOf(req);
    await cases.getCase(ctx, req.params.id);
    return { items: await auditTrail(ctx, 'case', req.params.id) };
  });

  const message = (path: string, kind: 'inbound_message' | 'outbound_reply', summary: string) =>
    app.post(`/cases/:id/${path}`, { config: { access: 'cases:work' }, schema: { tags: ['cases'], summary, params: IdParams, body: MessageBody } },
      async (req, reply) => runIdempotent(ctxOf(req), req, reply, 201, (ctx) => cases.addMessage(ctx, req.params.id, kind, req.body)));
  message('messages', 'inbound_message', 'Record a message from the customer (web form, portal, telephony)');
  app.post('/cases/:id/replies', { config: { access: 'cases:work' }, schema: { tags: ['cases'], summary: 'Reply to the customer (by email with the attached files, **bold**, "- " lists and [links](https://…) as HTML beside the plain text)', params: IdParams, body: ReplyBody } },
    async (req, reply) => runIdempotent(ctxOf(req), req, reply, 201, (ctx) => cases.addMessage(ctx, req.params.id, 'outbound_reply', req.body)));
  app.post('/cases/:id/notes', { config: { access: 'cases:work' }, schema: { tags: ['cases'], summary: 'Add a note: internal, or public (shown to the customer in the portal)', params: IdParams, body: NoteBody } },
    async (req, reply) => runIdempotent(ctxOf(req), req, reply, 201, (ctx) =>
      cases.addMessage(ctx, req.params.id, 'internal_note', { body: req.body.body, data: req.body.public ? { public: true } : {} })));

  app.post('/cases/:id/calls', { config: { access: 'cases:work' }, schema: { tags: ['cases'], summary: 'Log a phone call', params: IdParams, body: CallBody } },
    async (req, reply) => runIdempotent(ctxOf(req), req, reply, 201, (ctx) =>
      cases.addMessage(ctx, req.params.id, 'phone_call', { body: req.body.body, data: { direction: req.body.direction, durationSeconds: req.body.durationSeconds, ...(req.body.public ? { public: true } : {}) } })));
}
