/**
 * The visitor's live line: GET /api/v1/chat/socket (WebSocket). The widget says hello with its
 * conversation id, token and the last sequence number it holds; the server answers with
 * everything after it, and again whenever the hub (pg_notify, so any instance) announces a
 * change to that conversation. Several tabs of one visitor are simply several sockets.
 * Messages are sent over HTTP (acknowledged once stored); the socket only carries news and typing.
 */
import type { WebSocket } from 'ws';
import { z } from 'zod';
import type { App } from '../core/http/server';
import { ctxOf } from '../core/http/server';
import type { EventHub, LiveEvent } from '../core/events';
import { DomainError } from '../core/errors';
import * as chat from './service';

const Hello = z.strictObject({ type: z.literal('hello'), conversationId: z.number().int().positive().max(2 ** 53), token: z.string().min(16).max(100), after: z.number().int().min(0).max(2 ** 31 - 1) });
const Typing = z.strictObject({ type: z.literal('typing') });
const HEARTBEAT_MS = 25_000;
/** Queue events that move everyone's place or estimate. */
const QUEUE_MOVES = new Set(['queued', 'accepted', 'ended', 'presence', 'as_case']);

/** Sockets on this instance (the benchmark reads it). */
export const openSockets = { count: 0 };

export function chatSocket(app: App, hub: EventHub) {
  app.get('/chat/socket', { websocket: true, config: { access: 'public' }, schema: { hide: true } as object }, (socket: WebSocket, req) => {
    const ctx = ctxOf(req);
    let conversationId: number | null = null;
    let token = '';
    let lastSeq = 0;
    let status = '';
    let busy = false;
    let again = false;
    openSockets.count += 1;
    const send = (data: unknown) => { if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(data)); };
    const refresh = async () => {
      if (conversationId === null) return;
      if (busy) { again = true; return; }
      busy = true;
      try {
        do {
          again = false;
          const view = await chat.visitorView(ctx, conversationId, token, lastSeq);
          lastSeq = Math.max(lastSeq, view.lastSeq);
          status = view.status;
          send({ type: 'view', view });
        } while (again);
      } catch (e) {
        send({ type: 'error', status: e instanceof DomainError ? e.status : 500 });
        if (!(e instanceof DomainError)) req.log.warn({ err: e }, 'chat socket');
      } finally {
        busy = false;
      }
    };
    const onEvent = (e: LiveEvent) => {
      if (e.type !== 'chat' || conversationId === null) return;
      if (e.conversationId === conversationId) {
        if (e.kind === 'typing') { if (e.author === 'agent') send({ type: 'typing' }); return; }
        if (e.kind === 'message' && e.seq !== undefined && e.seq <= lastSeq) return;
        void refresh();
      } else if (status === 'queued' && QUEUE_MOVES.has(e.kind)) {
        void refresh(); // someone ahead was served or an agent came: a new place and estimate
      }
    };
    const unsubscribe = hub.subscribe(onEvent);
    const beat = setInterval(() => { if (socket.readyState === socket.OPEN) socket.ping(); }, HEARTBEAT_MS);
    socket.on('message', (raw) => {
      let data: unknown;
      try { data = JSON.parse(String(raw)); } catch { return socket.close(1003, 'JSON only'); }
      const hello = Hello.safeParse(data);
      if (hello.success) {
        conversationId = hello.data.conversationId;
        token = hello.data.token;
        lastSeq = hello.data.after;
        void refresh().then(() => { if (status === '') socket.close(4404, 'No such conversation'); });
        return;
      }
      if (Typing.safeParse(data).success && conversationId !== null) {
        void chat.visitorTyping(ctx, conversationId, token).catch(() => {});
        return;
      }
      socket.close(1003, 'Unknown message');
    });
    socket.on('close', () => {
      openSockets.count -= 1;
      clearInterval(beat);
      unsubscribe();
    });
  });
}
