import { z } from 'zod';
import type { App } from '../core/http/server';
import { ctxOf } from '../core/http/server';
import { agentsNeeded } from './erlang-c';
import { staffingPlan } from './service';

const Target = {
  targetSeconds: z.coerce.number().min(0).max(86_400).default(20),
  targetLevel: z.coerce.number().gt(0).lt(1).default(0.8),
  shrinkage: z.coerce.number().min(0).max(0.95).default(0),
};

export function staffingRoutes(app: App) {
  app.get('/staffing/erlang-c', {
    config: { access: 'figures:read' },
    schema: {
      tags: ['staffing'],
      summary: 'Erlang C: agents needed for a target service level, with that number\'s probability of waiting, service level, average speed of answer and occupancy',
      querystring: z.strictObject({
        arrivalsPerHour: z.coerce.number().min(0).max(1_000_000),
        ahtSeconds: z.coerce.number().gt(0).max(86_400),
        ...Target,
      }).refine((q) => (q.arrivalsPerHour / 3600) * q.ahtSeconds <= 50_000, { message: 'the traffic (arrivals × handle time) is above 50,000 erlangs', path: ['arrivalsPerHour'] }),
    },
  }, async (req) => agentsNeeded(req.query));

  app.get('/staffing/plan', {
    config: { access: 'figures:read' },
    schema: {
      tags: ['staffing'],
      summary: 'Agents needed per hour of the week, from the chats and phone calls measured over the last weeks',
      querystring: z.strictObject({ weeks: z.coerce.number().int().min(1).max(26).default(4), ...Target }),
    },
  }, async (req) => staffingPlan(ctxOf(req), req.query));
}
