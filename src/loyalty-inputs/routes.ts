import { z } from 'zod';
import type { App } from '../core/http/server';
import { ctxOf } from '../core/http/server';
import { Instant, Text } from '../core/http/schemas';
import { addAction, INPUT_KEYS, loyaltyInputs, rateInput, setLeader } from './service';

const Key = z.strictObject({ key: z.enum(INPUT_KEYS) });
const Quarter = z.string().regex(/^\d{4}-Q[1-4]$/, 'a quarter such as 2026-Q2');
const Level = z.number().int().min(1, 'a level from 1 to 5').max(5, 'a level from 1 to 5');
const StaffId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export function loyaltyInputRoutes(app: App) {
  app.get('/loyalty-inputs', {
    config: { access: 'figures:read' },
    schema: { tags: ['loyalty inputs'], summary: 'The seven loyalty inputs: ratings and their spread, leaders, actions, trend by quarter', querystring: z.strictObject({ quarter: Quarter.optional() }) },
  }, async (req) => loyaltyInputs(ctxOf(req), req.query.quarter));
  app.put('/loyalty-inputs/:key/leader', {
    config: { access: 'inputs:assess' },
    schema: { tags: ['loyalty inputs'], summary: 'The accountable leader of an input', params: Key, body: z.strictObject({ leaderId: StaffId.nullable() }) },
  }, async (req) => setLeader(ctxOf(req), req.params.key, req.body.leaderId));
  app.post('/loyalty-inputs/:key/ratings', {
    config: { access: 'inputs:assess' },
    schema: { tags: ['loyalty inputs'], summary: 'My rating of an input: where we are and where we want to be (1–5)', params: Key,
      body: z.strictObject({ current: Level, target: Level, evidence: Text(4_000).nullable().optional(), quarter: Quarter.optional() }) },
  }, async (req, reply) => reply.code(201).send(await rateInput(ctxOf(req), req.params.key, req.body)));
  app.post('/loyalty-inputs/:key/actions', {
    config: { access: 'inputs:assess' },
    schema: { tags: ['loyalty inputs'], summary: 'An action: a promise with an owner (default: the accountable leader) and a due date', params: Key,
      body: z.strictObject({ text: Text(2_000), dueAt: Instant, ownerId: StaffId.optional() }) },
  }, async (req, reply) => reply.code(201).send(await addAction(ctxOf(req), req.params.key, req.body)));
}
