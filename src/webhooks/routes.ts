import { z } from 'zod';
import type { App } from '../core/http/server';
import { ctxOf } from '../core/http/server';
import { IdParams } from '../core/http/schemas';
import { PageQuery } from '../core/pagination';
import * as webhooks from './service';

const Events = z.array(z.string().min(1).max(60)).min(1).max(100);
const Url = z.string().min(1).max(2_000);
const Description = z.string().max(500).nullish();

/** Admins manage webhook endpoints; every route here needs org:admin. */
export function webhookRoutes(app: App) {
  const tags = ['webhooks'];
  app.get('/webhooks', { config: { access: 'org:admin' }, schema: { tags, summary: 'Registered webhook endpoints' } },
    async (req) => ({ items: await webhooks.listWebhooks(ctxOf(req)) }));

  app.post('/webhooks', {
    config: { access: 'org:admin' },
    schema: { tags, summary: 'Register an endpoint; the answer carries the signing secret, once', body: z.strictObject({ url: Url, events: Events, description: Description }) },
  }, async (req, reply) => reply.code(201).send(await webhooks.createWebhook(ctxOf(req), req.body)));

  app.patch('/webhooks/:id', {
    config: { access: 'org:admin' },
    schema: { tags, params: IdParams, body: z.strictObject({ url: Url.optional(), events: Events.optional(), description: Description, active: z.boolean().optional() }) },
  }, async (req) => webhooks.updateWebhook(ctxOf(req), req.params.id, req.body));

  app.delete('/webhooks/:id', { config: { access: 'org:admin' }, schema: { tags, params: IdParams } },
    async (req, reply) => { await webhooks.deleteWebhook(ctxOf(req), req.params.id); return reply.code(204).send(); });

  app.post('/webhooks/:id/rotate-secret', { config: { access: 'org:admin' }, schema: { tags, summary: 'A new signing secret; the old one signs too for 24 hours', params: IdParams } },
    async (req) => webhooks.rotateSecret(ctxOf(req), req.params.id));

  app.post('/webhooks/:id/test', { config: { access: 'org:admin' }, schema: { tags, summary: 'Send a webhook.test event to this endpoint', params: IdParams } },
    async (req, reply) => reply.code(202).send(await webhooks.sendTestEvent(ctxOf(req), req.params.id)));

  app.get('/webhooks/:id/deliveries', {
    config: { access: 'org:admin' },
    schema: { tags, summary: 'The delivery log: status, response code, duration, attempts', params: IdParams,
      querystring: z.strictObject({ ...PageQuery, status: z.enum(['pending', 'delivered', 'dead']).optional() }) },
  }, async (req) => webhooks.listDeliveries(ctxOf(req), req.params.id, req.query));

  app.post('/webhooks/:id/deliveries/:deliveryId/redeliver', {
    config: { access: 'org:admin' },
    schema: { tags, params: z.strictObject({ id: IdParams.shape.id, deliveryId: IdParams.shape.id }) },
  }, async (req, reply) => reply.code(202).send(await webhooks.redeliver(ctxOf(req), req.params.id, req.params.deliveryId)));
}
