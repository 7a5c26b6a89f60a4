import { z } from 'zod';
import type { App } from '../core/http/server';
import { ctxOf } from '../core/http/server';
import { runIdempotent } from '../core/http/idempotency';
import { IdParams, Instant } from '../core/http/schemas';
import { DomainError } from '../core/errors';
import { CsvBody } from '../surveys/routes';
import { DATE_FORMATS, ENCODINGS } from '../surveys/import';
import { ACTIVITY_KINDS } from './schema';
import { importActivities } from './import';
import * as loyalty from './service';

const SurveyId = z.coerce.number().int().positive();
const Column = z.string().min(1).max(200);

export function loyaltyRoutes(app: App) {
  app.post('/customer-activities', {
    config: { access: 'customers:write' },
    schema: { tags: ['loyalty'], summary: 'Something a customer did: a purchase, visit, renewal or cancellation (with amount); the same ref twice is recorded once',
      body: z.strictObject({
        customerId: z.number().int().positive(), kind: z.enum(ACTIVITY_KINDS), amount: z.number().min(-1e11).max(1e11).nullable().optional(),
        occurredAt: Instant, ref: z.string().trim().min(1).max(200).optional(),
      }) },
  }, async (req, reply) => runIdempotent(ctxOf(req), req, reply, 201, (ctx) => loyalty.recordActivity(ctx, req.body)));
  app.post('/customer-activities/import', {
    config: { access: 'org:admin', bodyTypes: ['text/csv'] },
    schema: {
      tags: ['loyalty'], summary: 'Import customer activity from CSV (text/csv body, streamed); rejected rows are reported with row, column and value',
      querystring: z.strictObject({
        customerColumn: Column, kindColumn: Column.optional(), kind: z.enum(ACTIVITY_KINDS).optional(), amountColumn: Column.optional(),
        dateColumn: Column, dateFormat: z.enum(DATE_FORMATS).optional(), refColumn: Column.optional(),
        encoding: z.enum(ENCODINGS).default('auto'), delimiter: z.enum(['auto', ',', ';', '\t', '|']).default('auto'), dryRun: z.enum(['true', 'false']).optional(),
      }),
    },
  }, async (req) => {
    if (!req.headers['content-type']?.startsWith('text/csv') || !(req.body instanceof CsvBody)) throw new DomainError(415, 'Unsupported media type', 'Send the file as the request body with Content-Type: text/csv');
    const q = req.query;
    return importActivities(ctxOf(req), req.body.stream, {
      customer: q.customerColumn, kind: q.kindColumn, fixedKind: q.kind, amount: q.amountColumn, date: q.dateColumn, dateFormat: q.dateFormat, ref: q.refColumn,
      encoding: q.encoding, delimiter: q.delimiter, dryRun: q.dryRun === 'true',
    });
  });
  app.get('/customers/:id/activities', { config: { access: 'customers:read' }, schema: { tags: ['loyalty'], params: IdParams } },
    async (req) => ({ items: await loyalty.listActivities(ctxOf(req), req.params.id) }));
  app.get('/customers/:id/loyalty', {
    config: { access: 'customers:read' },
    schema: { tags: ['loyalty'], summary: "The customer's last loyalty score, its trend and what they did", params: IdParams },
  }, async (req) => loyalty.customerLoyalty(ctxOf(req), req.params.id));
  app.get('/cases/:id/survey-answer', {
    config: { access: 'cases:read' },
    schema: { tags: ['loyalty'], summary: 'On a recovery case: the survey answer that opened it (score, comment) and the case it was about', params: IdParams },
  }, async (req) => loyalty.answerBehindRecovery(ctxOf(req), req.params.id));
  app.get('/loyalty-figures', {
    config: { access: 'figures:read' },
    schema: { tags: ['loyalty'], summary: 'Retention, repeat rate, cancellations and revenue per month, beside NPS', querystring: z.strictObject({ from: Instant.optional(), to: Instant.optional() }) },
  }, async (req) => loyaltyFiguresOf(req));
  app.get('/survey-figures/drivers', {
    config: { access: 'figures:read' },
    schema: {
      tags: ['loyalty'], summary: "Johnson's relative weights of each answer (and case facts) on an outcome, with bootstrap intervals",
      querystring: z.strictObject({
        survey: SurveyId, outcome: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/).default('nps'), caseFacts: z.enum(['true', 'false']).optional(),
        resamples: z.coerce.number().int().min(0).max(2000).default(200), seed: z.coerce.number().int().min(0).max(2 ** 31).default(1),
        from: Instant.optional(), to: Instant.optional(),
      }),
    },
  }, async (req) => loyalty.drivers(ctxOf(req), { surveyId: req.query.survey, outcome: req.query.outcome, caseFacts: req.query.caseFacts === 'true', resamples: req.query.resamples, seed: req.query.seed, from: req.query.from, to: req.query.to }));
  app.get('/survey-figures/behaviour', {
    config: { access: 'figures:read' },
    schema: { tags: ['loyalty'], summary: 'How each answer relates to what the customer did in the days after (visits, spend, cancellation)',
      querystring: z.strictObject({ survey: SurveyId, days: z.coerce.number().int().min(1).max(730).default(90) }) },
  }, async (req) => loyalty.answersAndBehaviour(ctxOf(req), req.query.survey, req.query.days));
  app.get('/survey-figures/compare', {
    config: { access: 'figures:read' },
    schema: { tags: ['loyalty'], summary: 'NPS of each group against the rest, Holm-corrected',
      querystring: z.strictObject({ by: z.enum(Object.keys(loyalty.GROUPINGS) as [loyalty.Grouping, ...loyalty.Grouping[]]), survey: SurveyId.optional(), from: Instant.optional(), to: Instant.optional() }) },
  }, async (req) => loyalty.compareGroups(ctxOf(req), { by: req.query.by, surveyId: req.query.survey, from: req.query.from, to: req.query.to }));

  function loyaltyFiguresOf(req: { query: { from?: Date; to?: Date } } & Parameters<typeof ctxOf>[0]) {
    return loyalty.behaviourFigures(ctxOf(req), { from: req.query.from, to: req.query.to });
  }
}
