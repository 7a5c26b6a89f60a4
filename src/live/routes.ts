/**
 * GET /api/v1/live: a server-sent event stream for the signed-in staff member. They receive
 * their own notifications and a "case changed" signal for every case, which screens showing
 * that case use to refresh. Events carry ids only; data is always fetched through the API, so
 * the stream can never show anybody more than their role may see.
 */
import { z } from 'zod';
import type { App } from '../core/http/server';
import { ctxOf } from '../core/http/server';
import { IdParams } from '../core/http/schemas';
import type { EventHub, LiveEvent } from '../core/events';
import { announcePresence } from './presence';

const HEARTBEAT_MS = 25_000;

export function liveRoutes(app: App, hub: EventHub) {
  app.post('/cases/:id/presence', {
    config: { access: 'cases:read' },
    schema: { tags: ['live'], summary: 'Announce that I view, type on, or left this case (collision detection)', params: IdParams,
      body: z.strictObject({ state: z.enum(['viewing', 'typing', 'left']) }) },
  }, async (req, reply) => {
    await announcePresence(ctxOf(req), req.params.id, req.body.state);
    return reply.status(204).send();
  });

  app.get('/live', { config: { access: 'self' }, schema: { tags: ['live'], summary: 'Server-sent events (live updates) for the signed-in staff member' } }, (req, reply) => {
    const me = req.actor!;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write('retry: 2000\n\n');
    const send = (e: LiveEvent) => {
      if (e.type === 'notification' && e.staffId !== me.id) return;
      res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
    };
    const unsubscribe = hub.subscribe(send);
    const beat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    req.raw.on('close', () => {
      clearInterval(beat);
      unsubscribe();
    });
  });
}
