import { z } from 'zod';
import type { App } from '../core/http/server';
import { ctxOf } from '../core/http/server';
import { runIdempotent } from '../core/http/idempotency';
import { IdParams, Text } from '../core/http/schemas';
import { PageQuery } from '../core/pagination';
import { CHANNELS } from './schema';
import * as customers from './service';

const PhoneText = z.string().trim().min(3).max(40)
  .regex(/^\+?[\d\s()./-]+$/, 'is not a phone number: write digits, spaces and + ( ) - . / only');
const Short = z.string().trim().max(200).nullable().optional();
export const CustomerBody = z.strictObject({
  name: Text(200),
  title: z.string().trim().max(40).nullable().optional(),
  givenName: Short,
  familyName: Short,
  firstNameOk: z.boolean().optional(),
  emails: z.array(z.email().max(320)).max(20).optional(),
  // The shape only; whether it is a real number depends on the organisation's region (service).
  phones: z.array(PhoneText).max(20).optional(),
  preferredChannel: z.enum(CHANNELS).nullable().optional(),
  language: z.string().trim().min(2).max(35).nullable().optional(),
  notes: z.string().max(10_000).nullable().optional(),
  segment: z.string().trim().max(100).nullable().optional(),
});

export function customerRoutes(app: App) {
  app.get('/customers', {
    config: { access: 'customers:read' },
    schema: { tags: ['customers'], querystring: z.strictObject({ q: z.string().trim().min(1).max(200).optional(), segment: z.string().max(100).optional(), ...PageQuery }) },
  }, async (req) => customers.listCustomers(ctxOf(req), req.query));

  app.get('/customers/lookup', {
    config: { access: 'customers:read' },
    schema: {
      tags: ['customers'],
      summary: 'Who is calling: the customer with this phone number, written any way, or 404',
      querystring: z.strictObject({ phone: PhoneText }),
    },
  }, async (req) => customers.lookupCustomerByPhone(ctxOf(req), req.query.phone));

  app.get('/customers/:id', { config: { access: 'customers:read' }, schema: { tags: ['customers'], params: IdParams } },
    async (req) => customers.getCustomer(ctxOf(req), req.params.id));

  app.post('/customers', { config: { access: 'customers:write' }, schema: { tags: ['customers'], body: CustomerBody } },
    async (req, reply) => runIdempotent(ctxOf(req), req, reply, 201, (ctx) => customers.createCustomer(ctx, req.body)));

  app.patch('/customers/:id', { config: { access: 'customers:write' }, schema: { tags: ['customers'], params: IdParams, body: CustomerBody.partial() } },
    async (req) => customers.updateCustomer(ctxOf(req), req.params.id, req.body));

  app.post('/customers/:id/merge', {
    config: { access: 'customers:merge' },
    schema: {
      tags: ['customers'],
      summary: 'Merge a duplicate record into this one; both histories are kept',
      params: IdParams,
      body: z.strictObject({ duplicateId: z.number().int().positive() }),
    },
  }, async (req, reply) => runIdempotent(ctxOf(req), req, reply, 200, (ctx) => customers.mergeCustomers(ctx, req.params.id, req.body.duplicateId)));
}
