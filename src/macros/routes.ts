import { z } from 'zod';
import type { App } from '../core/http/server';
import { ctxOf } from '../core/http/server';
import { IdParams, Text } from '../core/http/schemas';
import * as macros from './service';

const MacroBody = z.strictObject({ name: Text(100), body: z.string().trim().min(1).max(20_000), teamId: z.number().int().positive().nullable().optional() });

const MacroPatch = z.strictObject({ name: Text(100), body: z.string().trim().min(1).max(20_000) }).partial();

export function macroRoutes(app: App) {
  app.get('/macros', { config: { access: 'cases:work' }, schema: { tags: ['macros'], summary: 'My macros and my team\'s' } },
    async (req) => ({ items: await macros.myMacros(ctxOf(req)) }));
  app.post('/macros', { config: { access: 'cases:work' }, schema: { tags: ['macros'], summary: 'A personal macro, or (teamId) one for a team: its lead, managers, admins', body: MacroBody } },
    async (req, reply) => reply.status(201).send(await macros.createMacro(ctxOf(req), req.body)));
  app.patch('/macros/:id', { config: { access: 'cases:work' }, schema: { tags: ['macros'], summary: 'Correct a macro: its owner; a team\'s: the lead, managers, admins', params: IdParams, body: MacroPatch } },
    async (req) => macros.updateMacro(ctxOf(req), req.params.id, req.body));
  app.delete('/macros/:id', { config: { access: 'cases:work' }, schema: { tags: ['macros'], params: IdParams } }, async (req, reply) => {
    await macros.deleteMacro(ctxOf(req), req.params.id);
    return reply.status(204).send();
  });
}
