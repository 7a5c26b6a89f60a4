import { z } from 'zod';
import type { App } from '../core/http/server';
import { ctxOf } from '../core/http/server';
import { IdParams } from '../core/http/schemas';
import * as notifications from './service';

export function notificationRoutes(app: App) {
  app.get('/notifications', {
    config: { access: 'self' },
    schema: { tags: ['notifications'], querystring: z.strictObject({ unread: z.enum(['true', 'false']).default('false'), limit: z.coerce.number().int().min(1).max(200).default(50) }) },
  }, async (req) => ({ items: await notifications.myNotifications(ctxOf(req), { unreadOnly: req.query.unread === 'true', limit: req.query.limit }) }));

  app.get('/notifications/unread-count', { config: { access: 'self' }, schema: { tags: ['notifications'] } },
    async (req) => ({ unread: await notifications.unreadCount(ctxOf(req)) }));

  app.post('/notifications/read-all', {
    config: { access: 'self' },
    schema: { tags: ['notifications'], summary: 'Mark every unread alert read (up to upToId, the newest one seen)', body: z.strictObject({ upToId: z.number().int().positive().optional() }).optional() },
  }, async (req) => ({ marked: await notifications.markAllRead(ctxOf(req), req.body?.upToId) }));

  app.post('/notifications/:id/read', { config: { access: 'self' }, schema: { tags: ['notifications'], params: IdParams } }, async (req, reply) => {
    await notifications.markRead(ctxOf(req), req.params.id);
    return reply.status(204).send();
  });
}
