/**
 * GET /api/v1/events: the domain event stream for integrations that prefer to pull. The cursor
 * is a position in the stream; a page never changes once given out (only events no running
 * transaction can precede are served), so a client that follows `next` misses nothing.
 */
import { z } from 'zod';
import type { App } from '../core/http/server';
import { ctxOf } from '../core/http/server';
import { listOf } from '../core/http/schemas';
import { Invalid } from '../core/errors';
import { decodePosition, encodePosition, readStream, START } from '../core/domain-events';
import { EVENT_TYPES, isEventType, visibleTo } from './catalogue';

export function eventRoutes(app: App) {
  app.get('/events', {
    config: { access: 'cases:read' },
    schema: {
      tags: ['events'],
      summary: 'Domain events after a cursor, oldest first; follow `next` to keep up',
      querystring: z.strictObject({
        after: z.string().max(100).optional(),
        types: listOf(z.string().min(1).max(60)).optional(),
        case: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
        customer: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
        limit: z.coerce.number().int().min(1).max(500).default(100),
      }),
    },
  }, async (req) => {
    const ctx = ctxOf(req);
    const q = req.query;
    const after = q.after ? decodePosition(q.after) : START;
    if (!after) throw new Invalid('query.after', 'invalid_cursor', 'The cursor is not one this API gave out');
    const unknown = (q.types ?? []).filter((t) => !isEventType(t));
    if (unknown.length) throw new Invalid('query.types', 'known', `Unknown event types: ${unknown.join(', ')}. Known: ${EVENT_TYPES.join(', ')}`);
    const role = req.actor!.role;
    const types = (q.types?.length ? q.types : [...EVENT_TYPES]).filter((t) => visibleTo(t, role));
    const rows = await readStream(ctx, after, {
      types, limit: q.limit,
      extra: (s) => {
        let r = s;
        if (q.case) r = r.where('domain_events.case_id', '=', q.case);
        if (q.customer) r = r.where('domain_events.customer_id', '=', q.customer);
        return r;
      },
    });
    const last = rows[rows.length - 1];
    return {
      items: rows.map((e) => ({ id: e.id, type: e.type, version: e.version, occurredAt: e.occurredAt, actorId: e.actorId, caseId: e.caseId, customerId: e.customerId, data: e.payload })),
      next: encodePosition(last ? { txId: last.txId, id: last.id } : after),
    };
  });
}
