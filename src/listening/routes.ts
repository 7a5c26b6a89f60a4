import { z } from 'zod';
import type { App } from '../core/http/server';
import { ctxOf } from '../core/http/server';
import { Instant } from '../core/http/schemas';
import { listening } from './service';
import { read } from './text';

export function listeningRoutes(app: App) {
  app.get('/listening', {
    config: { access: 'figures:read' },
    schema: { tags: ['listening'], summary: 'Survey comments and inbound messages read in their language: sentiment, complaints, themes as phrases, trends per month, touchpoint and department',
      querystring: z.strictObject({ from: Instant.optional(), to: Instant.optional(), source: z.enum(['survey', 'message']).optional(), language: z.string().regex(/^[a-z]{2,3}$/).optional() }) },
  }, async (req) => listening(ctxOf(req), req.query));
  app.post('/listening/read', {
    config: { access: 'figures:read' },
    schema: { tags: ['listening'], summary: 'How Kept reads one text (language, sentiment, complaint): stores nothing', body: z.strictObject({ text: z.string().min(1).max(20_000) }) },
  }, async (req) => read(req.body.text));
}
