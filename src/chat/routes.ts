/**
 * Chat over HTTP. Visitors (no sign-in) prove their conversation with the x-kept-visitor header
 * (the token the widget keeps); staff use their session or token as everywhere. Live delivery
 * to visitors is the WebSocket in socket.ts; staff screens hear of chats over /api/v1/live.
 */
import { z } from 'zod';
import type { App } from '../core/http/server';
import { ctxOf } from '../core/http/server';
import { IdParams, Text } from '../core/http/schemas';
import type { AppServices } from '../core/feature';
import { PRESENCE, CHAT_LANGUAGES } from './schema';
import * as chat from './service';
import { liveQueueFigures } from './queue';
import { chatSocket } from './socket';

export const VISITOR_HEADER = 'x-kept-visitor';
const VisitorHeaders = z.object({ [VISITOR_HEADER]: z.string().min(16).max(100) });
const After = z.strictObject({ after: z.coerce.number().int().min(0).max(2 ** 31 - 1).default(0) });
const MessageBody = z.strictObject({ body: Text(chat.MESSAGE_MAX_CHARS) });
const token = (req: { headers: Record<string, unknown> }) => req.headers[VISITOR_HEADER] as string;

export function chatRoutes(app: App, services: AppServices) {
  // ---- visitors
  app.post('/chat/conversations', {
    config: { access: 'public' },
    schema: {
      tags: ['chat'], summary: 'A visitor opens the chat widget: the answer carries the visitor token, once',
      body: z.strictObject({ teamId: z.number().int().positive().max(2 ** 31 - 1).nullish(), language: z.enum(CHAT_LANGUAGES).default('en') }),
    },
  }, async (req, reply) => reply.status(201).send(await chat.startConversation(ctxOf(req), req.body)));

  app.get('/chat/conversations/:id', {
    config: { access: 'public' },
    schema: { tags: ['chat'], summary: 'The visitor\'s conversation: state, queue position, estimated wait and the messages after a sequence number', params: IdParams, headers: VisitorHeaders, querystring: After },
  }, async (req) => chat.visitorView(ctxOf(req), req.params.id, token(req), req.query.after));

  app.post('/chat/conversations/:id/messages', {
    config: { access: 'public' },
    schema: { tags: ['chat'], summary: 'The visitor writes (stored before it is shown to anyone; rate limited)', params: IdParams, headers: VisitorHeaders, body: MessageBody },
  }, async (req, reply) => reply.status(201).send(await chat.postVisitorMessage(ctxOf(req), req.params.id, token(req), req.body.body)));

  app.post('/chat/conversations/:id/person', {
    config: { access: 'public' },
    schema: { tags: ['chat'], summary: 'Talk to a person: join the queue with an honest wait, or be taken as a case with the time a person will be there', params: IdParams, headers: VisitorHeaders },
  }, async (req) => chat.askForPerson(ctxOf(req), req.params.id, token(req)));

  app.post('/chat/conversations/:id/typing', {
    config: { access: 'public' }, schema: { tags: ['chat'], params: IdParams, headers: VisitorHeaders },
  }, async (req, reply) => { await chat.visitorTyping(ctxOf(req), req.params.id, token(req)); return reply.status(204).send(); });

  app.post('/chat/conversations/:id/email', {
    config: { access: 'public' },
    schema: { tags: ['chat'], summary: 'The visitor gives their email: the chat joins that customer\'s story', params: IdParams, headers: VisitorHeaders, body: z.strictObject({ email: z.email().max(320) }) },
  }, async (req) => chat.giveEmail(ctxOf(req), req.params.id, token(req), req.body.email.toLowerCase()));

  app.post('/chat/conversations/:id/leave', {
    config: { access: 'public' },
    schema: { tags: ['chat'], summary: 'The visitor left the page: a queued chat keeps its place for a few minutes', params: IdParams, headers: VisitorHeaders },
  }, async (req) => chat.leaveQueue(ctxOf(req), req.params.id, token(req)));

  app.post('/chat/conversations/:id/end', {
    config: { access: 'public' }, schema: { tags: ['chat'], summary: 'The visitor ends the chat', params: IdParams, headers: VisitorHeaders },
  }, async (req) => chat.endByVisitor(ctxOf(req), req.params.id, token(req)));

  chatSocket(app, services.hub);

  // ---- agents
  app.get('/chat/presence', { config: { access: 'cases:work' }, schema: { tags: ['chat'] } }, async (req) => chat.myPresence(ctxOf(req)));
  app.put('/chat/presence', {
    config: { access: 'cases:work' },
    schema: { tags: ['chat'], summary: 'Set my chat presence and how many chats I take at once', body: z.strictObject({ status: z.enum(PRESENCE), capacity: z.number().int().min(1).max(20).optional() }) },
  }, async (req) => chat.setPresence(ctxOf(req), req.body));

  app.get('/chat/desk', { config: { access: 'cases:work' }, schema: { tags: ['chat'], summary: 'Chats waiting for my team (the one offered to me first) and my live chats' } },
    async (req) => chat.agentDesk(ctxOf(req)));
  app.get('/chat/desk/:id', { config: { access: 'cases:read' }, schema: { tags: ['chat'], params: IdParams, querystring: After } },
    async (req) => chat.agentView(ctxOf(req), req.params.id, req.query.after));
  app.post('/chat/desk/:id/accept', { config: { access: 'cases:work' }, schema: { tags: ['chat'], summary: 'Accept a waiting chat: I own its case from now', params: IdParams } },
    async (req) => chat.acceptChat(ctxOf(req), req.params.id));
  app.post('/chat/desk/:id/replies', { config: { access: 'cases:work' }, schema: { tags: ['chat'], params: IdParams, body: MessageBody } },
    async (req, reply) => reply.status(201).send(await chat.agentReply(ctxOf(req), req.params.id, req.body.body)));
  app.post('/chat/desk/:id/typing', { config: { access: 'cases:work' }, schema: { tags: ['chat'], params: IdParams } },
    async (req, reply) => { await chat.agentTyping(ctxOf(req), req.params.id); return reply.status(204).send(); });
  app.post('/chat/desk/:id/end', {
    config: { access: 'cases:work' },
    schema: { tags: ['chat'], summary: 'End the chat; with resolve, its case is resolved too (and the after-resolution survey goes out)', params: IdParams, body: z.strictObject({ resolve: z.boolean().default(false) }).optional() },
  }, async (req) => chat.endByAgent(ctxOf(req), req.params.id, { resolve: req.body?.resolve }));

  app.get('/chat/canned-answers', { config: { access: 'cases:read' }, schema: { tags: ['chat'] } }, async (req) => ({ items: await chat.listCannedAnswers(ctxOf(req)) }));
  app.post('/chat/canned-answers', {
    config: { access: 'cases:supervise' },
    schema: { tags: ['chat'], body: z.strictObject({ title: Text(100), body: Text(chat.MESSAGE_MAX_CHARS) }) },
  }, async (req, reply) => reply.status(201).send(await chat.createCannedAnswer(ctxOf(req), req.body)));
  app.delete('/chat/canned-answers/:id', { config: { access: 'cases:supervise' }, schema: { tags: ['chat'], params: IdParams } },
    async (req, reply) => { await chat.deleteCannedAnswer(ctxOf(req), req.params.id); return reply.status(204).send(); });

  app.get('/chat/live-queue', {
    config: { access: 'cases:supervise' },
    schema: { tags: ['chat'], summary: 'For team leads: waiting now, longest wait, agents and load, today\'s service level, abandoned chats, estimate accuracy' },
  }, async (req) => {
    const ctx = ctxOf(req);
    return liveQueueFigures(ctx, { standardSeconds: await chat.chatStandardSeconds(ctx) });
  });
}
