import { z } from 'zod';
import type { App } from '../core/http/server';
import { ctxOf } from '../core/http/server';
import { IdParams, Instant } from '../core/http/schemas';
import { periodOf } from '../touchpoints';
import { getScorecard, listScorecards } from './service';

const PeriodQuery = z.strictObject({ from: Instant.optional(), to: Instant.optional() });

export function scorecardRoutes(app: App) {
  app.get('/scorecards', {
    config: { access: 'figures:read' },
    schema: { tags: ['scorecards'], summary: "Department scorecards: executives and admins see all side by side, everyone else their own department's", querystring: PeriodQuery },
  }, async (req) => { const ctx = ctxOf(req); const p = periodOf(ctx, req.query.from, req.query.to); return { from: p.from, to: p.to, ...(await listScorecards(ctx, p)) }; });
  app.get('/scorecards/:id', {
    config: { access: 'figures:read' },
    schema: { tags: ['scorecards'], summary: "One department's scorecard (its own people, executives and admins)", params: IdParams, querystring: PeriodQuery },
  }, async (req) => { const ctx = ctxOf(req); return getScorecard(ctx, req.params.id, periodOf(ctx, req.query.from, req.query.to)); });
}
