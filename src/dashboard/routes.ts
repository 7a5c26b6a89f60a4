import { z } from 'zod';
import type { App } from '../core/http/server';
import { ctxOf } from '../core/http/server';
import { teamDashboard } from './service';

export function dashboardRoutes(app: App) {
  app.get('/dashboard', {
    config: { access: 'figures:read' },
    schema: { tags: ['figures'], summary: "The team lead's dashboard: backlog and its age, standards met, promises kept, volume by hour, load, hand-overs waiting",
      querystring: z.strictObject({ team: z.coerce.number().int().positive().optional() }) },
  }, async (req) => teamDashboard(ctxOf(req), { teamId: req.query.team }));
}
