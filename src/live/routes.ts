/**
 * GET /api/v1/live: a server-sent event stream for the signed-in staff member. They receive
 * their own notifications and a "case changed" signal for every case, which screens showing
 * that case use to refresh. Events carry ids only; data is always fetched through the API, so
 * the stream can never show anybody more than their role may see.
 */
import type { App } from '../core/http/server';
import type { EventHub, LiveEvent } from '../core/events';

const HEARTBEAT_MS = 25_000;

export function liveRoutes(app: App, hub: EventHub) {
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
