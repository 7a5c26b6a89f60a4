import { z } from 'zod';
import { ctxOf, type App } from '../core/http/server';
import { IdParams } from '../core/http/schemas';
import { exportCustomer } from './export';
import { eraseCustomer } from './erase';

/** Data rights: managers and admins only (the `privacy` capability). */
export function privacyRoutes(app: App) {
  app.get('/customers/:id/export', {
    config: { access: 'privacy' },
    schema: {
      tags: ['data rights'],
      summary: 'Everything Kept holds about one customer, as a tar archive (export.json, their raw emails and attachments); recorded in the audit trail',
      params: IdParams,
    },
  }, async (req, reply) => {
    const { filename, archive } = await exportCustomer(ctxOf(req), req.params.id);
    return reply.type('application/x-tar').header('content-disposition', `attachment; filename="${filename}"`).send(archive);
  });

  app.post('/customers/:id/erase', {
    config: { access: 'privacy' },
    schema: {
      tags: ['data rights'],
      summary: 'Erase a customer on request: personal data goes, cases, scores and promises stay countable; recorded in the audit trail',
      params: IdParams,
      body: z.strictObject({ reason: z.string().trim().min(1).max(1000) }),
      response: { 200: z.object({ customerId: z.number(), erasedAt: z.date(), cases: z.number(), attachmentsDeleted: z.number() }) },
    },
  }, async (req) => eraseCustomer(ctxOf(req), { customerId: req.params.id, reason: req.body.reason }));
}
