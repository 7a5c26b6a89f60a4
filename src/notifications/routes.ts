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

  app.post('/notifications/:id/read', { config: { access: 'self' }, schema: { tags: ['notifications'], params: IdParams } }, async (req, reply) => {
    await notifications.markRead(ctxOf(req), req.params.id);
    return reply.status(204).send();
  });
}
