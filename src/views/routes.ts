import { z } from 'zod';
import type { App } from '../core/http/server';
import { ctxOf } from '../core/http/server';
import { IdParams, Text } from '../core/http/schemas';
import * as views from './service';

const Filters = z.strictObject({
  view: z.enum(['mine', 'team', 'unowned', 'at-risk', 'waiting', 'open', 'all']),
  team: z.string().regex(/^(\d{1,12})?$/, 'a team id or empty').default(''),
  tag: z.string().trim().max(50).default(''),
  priority: z.string().regex(/^((urgent|high|normal|low)(,(urgent|high|normal|low))*)?$/, 'priorities, comma-separated').default(''),
  channel: z.string().regex(/^((email|phone|chat|web|in_person|other)(,(email|phone|chat|web|in_person|other))*)?$/, 'channels, comma-separated').default(''),
  touchpoint: z.string().trim().max(100).default(''),
  search: z.string().trim().max(200).default(''),
});
const NewView = z.strictObject({ name: Text(60), filters: Filters, teamId: z.number().int().positive().nullable().optional() });
const ViewPatch = z.strictObject({ name: Text(60), filters: Filters }).partial();

export function viewRoutes(app: App) {
  app.get('/views', { config: { access: 'cases:read' }, schema: { tags: ['views'], summary: 'My saved views and my team\'s, each with the number of cases it matches now (count capped at 10,000: more is true beyond)' } },
    async (req) => ({ items: await views.myViews(ctxOf(req)) }));
  app.post('/views', { config: { access: 'cases:work' }, schema: { tags: ['views'], summary: 'Save a view: personal, or (teamId) shared with a team by its lead, managers, admins', body: NewView } },
    async (req, reply) => reply.status(201).send(await views.createView(ctxOf(req), req.body)));
  app.patch('/views/:id', { config: { access: 'cases:work' }, schema: { tags: ['views'], summary: 'Rename a view or change its filters (its owner; a team\'s: the lead, managers, admins)', params: IdParams, body: ViewPatch } },
    async (req) => views.updateView(ctxOf(req), req.params.id, req.body));
  app.delete('/views/:id', { config: { access: 'cases:work' }, schema: { tags: ['views'], params: IdParams } }, async (req, reply) => {
    await views.deleteView(ctxOf(req), req.params.id);
    return reply.status(204).send();
  });
}
