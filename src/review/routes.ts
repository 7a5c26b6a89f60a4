import { z } from 'zod';
import type { App } from '../core/http/server';
import { ctxOf } from '../core/http/server';
import { monthlyReview, reviewCsv } from './service';
import { reviewPdf } from './pdf';

const Month = z.strictObject({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month such as 2026-05') });

export function reviewRoutes(app: App) {
  app.get('/reviews/:month', { config: { access: 'figures:read' }, schema: { tags: ['review'], summary: 'The monthly management review', params: Month } },
    async (req) => monthlyReview(ctxOf(req), req.params.month));
  app.get('/reviews/:month/csv', { config: { access: 'figures:read' }, schema: { tags: ['review'], params: Month } }, async (req, reply) =>
    reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="loyalty-review-${req.params.month}.csv"`)
      .send(reviewCsv(await monthlyReview(ctxOf(req), req.params.month))));
  app.get('/reviews/:month/pdf', { config: { access: 'figures:read' }, schema: { tags: ['review'], params: Month } }, async (req, reply) =>
    reply.type('application/pdf').header('content-disposition', `attachment; filename="loyalty-review-${req.params.month}.pdf"`)
      .send(await reviewPdf(await monthlyReview(ctxOf(req), req.params.month))));
}
