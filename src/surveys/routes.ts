import type { Readable } from 'node:stream';
import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../core/http/server';
import { ctxOf } from '../core/http/server';
import { runIdempotent } from '../core/http/idempotency';
import { IdParams, Instant, Text } from '../core/http/schemas';
import { Conflict, DomainError } from '../core/errors';
import { QuestionSchema } from './questions';
import * as surveys from './service';
import * as sends from './segment-send';
import { surveyFigures, BREAKDOWNS, type Breakdown } from './figures';
import { DATE_FORMATS, ENCODINGS, IMPORT_LIMIT_BYTES, importResponses, parsePairs } from './import';
import { messagePage, surveyPage, SURVEY_PAGE_CSP, type SurveyPageOptions } from './page';

const Token = z.strictObject({ token: z.string().regex(/^sv_[A-Za-z0-9_-]{43}$/, 'not a survey token') });
const SurveyBody = z.strictObject({
  name: Text(200),
  trigger: z.enum(['case_resolved', 'touchpoint', 'relationship', 'recovery_follow_up']),
  touchpoint: z.string().trim().min(1).max(100).nullable().optional(),
  segment: z.string().trim().min(1).max(100).nullable().optional(),
  questions: z.array(QuestionSchema).min(1).max(12),
  expiresAfterDays: z.number().int().min(1).max(365).optional(),
  active: z.boolean().optional(),
  /** Relationship surveys: send to the segment every so many days. */
  everyDays: z.number().int().min(1).max(366).nullable().optional(),
});

/** Who a segment send reaches: a segment, customers in touch lately, or both. */
const AudienceFields = {
  segment: z.string().trim().min(1).max(100).optional(),
  contactedWithinDays: z.coerce.number().int().min(1).max(3650).optional().describe('only customers with a case updated within this many days'),
};
const chooses = (a: { segment?: string; contactedWithinDays?: number }) => !!a.segment || !!a.contactedWithinDays;
const choose = { message: 'Choose a segment or a last-contact window', path: ['segment'] };
const Audience = z.strictObject(AudienceFields).refine(chooses, choose);
const AudienceBody = z.strictObject({ ...AudienceFields, contactedWithinDays: z.number().int().min(1).max(3650).optional() }).refine(chooses, choose);

/** A streamed CSV body; the stream is a private field, so input checks never walk the socket. */
export class CsvBody {
  readonly #stream: Readable;
  constructor(stream: Readable) {
    this.#stream = stream;
  }
  get stream() {
    return this.#stream;
  }
}

const Column = z.string().min(1).max(200);
const Repeated = z.union([Column, z.array(Column).max(200)]).optional();
const ImportQuery = z.strictObject({
  column: Repeated.describe('CSV_COLUMN:QUESTION_KEY, repeatable'),
  scoreColumn: Column.optional().describe('shorthand for column=NAME:nps, with an answer required'),
  commentColumn: Column.optional().describe('shorthand for column=NAME:comment'),
  customerColumn: Column.optional().describe("the customer's email or id"),
  refColumn: Column.optional().describe('a unique id per answer: re-importing the same file changes nothing'),
  dateColumn: Column.optional(), dateFormat: z.enum(DATE_FORMATS).optional(),
  segmentColumn: Column.optional(), attribute: Repeated.describe('CSV_COLUMN:ATTRIBUTE_NAME, repeatable'),
  encoding: z.enum(ENCODINGS).default('auto'), delimiter: z.enum(['auto', ',', ';', '\t', '|']).default('auto'),
  dryRun: z.enum(['true', 'false']).optional(),
});

export function surveyRoutes(app: App) {
  // CSV bodies stream to the import (up to IMPORT_LIMIT_BYTES, counted as they arrive).
  app.addContentTypeParser('text/csv', (_req, payload, done) => done(null, new CsvBody(payload)));
  app.get('/surveys', { config: { access: 'org:read' }, schema: { tags: ['surveys'] } }, async (req) => ({ items: await surveys.listSurveys(ctxOf(req)) }));
  app.post('/surveys', { config: { access: 'org:admin' }, schema: { tags: ['surveys'], body: SurveyBody } },
    async (req, reply) => runIdempotent(ctxOf(req), req, reply, 201, (ctx) => surveys.createSurvey(ctx, req.body)));
  app.patch('/surveys/:id', { config: { access: 'org:admin' }, schema: { tags: ['surveys'], params: IdParams, body: SurveyBody.pick({ name: true, active: true, questions: true, expiresAfterDays: true }).partial() } },
    async (req) => surveys.updateSurvey(ctxOf(req), req.params.id, req.body));
  app.post('/surveys/:id/invitations', {
    config: { access: 'cases:work' },
    schema: { tags: ['surveys'], summary: 'Invite one customer (cooldown and open recoveries respected) about one of their cases; the link goes to the customer only, never back to staff', params: IdParams,
      body: z.strictObject({ customerId: z.number().int().positive(), caseId: z.number().int().positive().optional() }) },
  }, async (req, reply) => runIdempotent(ctxOf(req), req, reply, 201, async (ctx) => {
    const result = await surveys.invite(ctx, req.params.id, req.body.customerId, { caseId: req.body.caseId });
    if ('skipped' in result) throw new Conflict(`Not asked: ${result.skipped}`); // nothing was created
    return result;
  }));
  app.get('/surveys/:id/audience', {
    config: { access: 'org:admin' },
    schema: { tags: ['surveys'], summary: 'Relationship survey: how many customers a send to this segment would ask, and why the others would be skipped', params: IdParams, querystring: Audience },
  }, async (req) => sends.audienceOf(ctxOf(req), req.params.id, req.query));
  app.post('/surveys/:id/send', {
    config: { access: 'org:admin' },
    schema: { tags: ['surveys'], summary: 'Relationship survey: invite a whole segment (queued at once, emailed at the transport\'s pace; follow it at GET /survey-sends/{id})', params: IdParams, body: AudienceBody },
  }, async (req) => sends.sendToSegment(ctxOf(req), req.params.id, req.body));
  app.get('/surveys/:id/sends', { config: { access: 'org:read' }, schema: { tags: ['surveys'], summary: 'The latest sends of this survey with their progress', params: IdParams } },
    async (req) => ({ items: await sends.surveySends(ctxOf(req), req.params.id) }));
  app.get('/survey-sends/:id', { config: { access: 'org:read' }, schema: { tags: ['surveys'], summary: 'Progress of a send: invitations queued, sent, failed, portal only, answered', params: IdParams } },
    async (req) => sends.sendProgress(ctxOf(req), req.params.id));
  app.post('/touchpoint-events', {
    config: { access: 'cases:work' },
    schema: { tags: ['surveys'], summary: 'A customer passed a touchpoint (e.g. delivery): survey them if a survey is set for it',
      body: z.strictObject({ customerId: z.number().int().positive(), touchpoint: Text(100), caseId: z.number().int().positive().optional() }) },
  }, async (req, reply) => runIdempotent(ctxOf(req), req, reply, 200, (ctx) => surveys.inviteAfterTouchpoint(ctx, req.body)));
  app.post('/surveys/:id/import', {
    config: { access: 'org:admin', bodyTypes: ['text/csv'] },
    schema: {
      tags: ['surveys'],
      summary: `Import answers from a CSV file (text/csv body, streamed, at most ${IMPORT_LIMIT_BYTES / 1024 / 1024} MB): columns mapped to questions, each checked against its scale; rejected rows are reported with row, column and value`,
      params: IdParams, querystring: ImportQuery,
    },
  }, async (req) => {
    if (!req.headers['content-type']?.startsWith('text/csv') || !(req.body instanceof CsvBody)) throw new DomainError(415, 'Unsupported media type', 'Send the file as the request body with Content-Type: text/csv');
    const q = req.query;
    const columns = parsePairs(q.column, 'query.column').map((p) => ({ column: p.column, question: p.target }));
    if (q.scoreColumn) columns.unshift({ column: q.scoreColumn, question: 'nps', required: true } as { column: string; question: string; required: boolean });
    if (q.commentColumn) columns.push({ column: q.commentColumn, question: 'comment' });
    return importResponses(ctxOf(req), req.params.id, req.body.stream, {
      columns, customer: q.customerColumn, ref: q.refColumn, date: q.dateColumn, dateFormat: q.dateFormat, segment: q.segmentColumn,
      attributes: parsePairs(q.attribute, 'query.attribute').map((p) => ({ column: p.column, name: p.target })),
      encoding: q.encoding, delimiter: q.delimiter, dryRun: q.dryRun === 'true',
    });
  });
  app.get('/survey-figures', {
    config: { access: 'figures:read' },
    schema: { tags: ['surveys'], summary: 'NPS with its 95 % interval (adjusted Wald), effort, and breakdowns',
      querystring: z.strictObject({ from: Instant.optional(), to: Instant.optional(), survey: z.coerce.number().int().positive().optional(),
        by: z.enum(Object.keys(BREAKDOWNS) as [Breakdown, ...Breakdown[]]).optional(), margin: z.coerce.number().min(1).max(50).default(5) }) },
  }, async (req) => surveyFigures(ctxOf(req), { from: req.query.from, to: req.query.to, surveyId: req.query.survey, by: req.query.by, margin: req.query.margin }));
  app.get('/survey-responses', {
    config: { access: 'figures:read' },
    schema: { tags: ['surveys'], summary: 'Every answer, newest first, with all its questions; page on with after=next',
      querystring: z.strictObject({ survey: z.coerce.number().int().positive().optional(), customer: z.coerce.number().int().positive().optional(), detractors: z.enum(['true']).optional(),
        limit: z.coerce.number().int().min(1).max(500).default(100), after: z.string().regex(/^\d{1,18}$/, 'a cursor from next').optional() }) },
  }, async (req) => surveys.listResponses(ctxOf(req), { surveyId: req.query.survey, customerId: req.query.customer, detractorsOnly: !!req.query.detractors, limit: req.query.limit, before: req.query.after ? Number(req.query.after) : undefined }));
  app.get('/cases/:id/survey-answers', { config: { access: 'cases:read' }, schema: { tags: ['surveys'], summary: 'Survey answers about this case, or that opened it', params: IdParams } },
    async (req) => ({ items: await surveys.surveyAnswers(ctxOf(req), { caseId: req.params.id }) }));
  app.get('/customers/:id/survey-answers', { config: { access: 'customers:read' }, schema: { tags: ['surveys'], summary: "The customer's survey answers", params: IdParams } },
    async (req) => ({ items: await surveys.surveyAnswers(ctxOf(req), { customerId: req.params.id }) }));
  app.post('/survey-responses/:id/follow-up', {
    config: { access: 'cases:work' },
    schema: { tags: ['surveys'], summary: 'Record the outcome of the follow-up with this customer', params: IdParams, body: z.strictObject({ outcome: Text(2_000) }) },
  }, async (req) => surveys.recordResponseFollowUp(ctxOf(req), req.params.id, req.body.outcome));

  // The customer's side: JSON for the portal, and the page itself (registered outside /api below).
  app.get('/public/surveys/:token', { config: { access: 'public' }, schema: { tags: ['public'], params: Token } }, async (req) => surveys.openSurvey(ctxOf(req), req.params.token));
  app.post('/public/surveys/:token', {
    config: { access: 'public' },
    schema: { tags: ['public'], params: Token, body: z.strictObject({ answers: z.record(z.string().max(40), z.unknown()), complete: z.boolean().default(false) }) },
  }, async (req) => surveys.answerSurvey(ctxOf(req), req.params.token, req.body.answers, req.body.complete));
}

/** /s/:token — the page customers open from the email. Forms post back here; no sign-in. */
export function surveyPageRoutes(app: App) {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  const render = async (req: FastifyRequest, reply: FastifyReply, token: string, shown: Pick<SurveyPageOptions, 'clicked' | 'saved'>) => {
    const ctx = ctxOf(req);
    try {
      const view = await surveys.openSurvey(ctx, token);
      if (view.expired) return reply.status(410).type('text/html').send(messagePage(view.language, 'expired'));
      if (view.completed) return reply.type('text/html').send(messagePage(view.language, 'done'));
      return reply.type('text/html').header('cache-control', 'no-store').send(surveyPage(token, { ...view, ...shown }));
    } catch (e) {
      if (e instanceof DomainError && e.status === 404) return reply.status(404).type('text/html').send(messagePage('en', 'missing'));
      throw e;
    }
  };
  const fail = (reply: FastifyReply, e: unknown) => {
    if (e instanceof DomainError && e.status === 404) return reply.status(404).type('text/html').send(messagePage('en', 'missing'));
    if (e instanceof DomainError && e.status === 410) return reply.status(410).type('text/html').send(messagePage('en', 'expired'));
    if (e instanceof DomainError && e.status === 409) return reply.status(409).type('text/html').send(messagePage('en', 'done'));
    throw e;
  };

  const Score = z.coerce.number().int().min(0).max(10).optional();
  // The page's inline style and script are allowed by their hashes, nothing else inline.
  const onSend = async (_req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    reply.header('content-security-policy', SURVEY_PAGE_CSP);
    return payload;
  };
  app.get('/s/:token', { onSend, config: { access: 'public' }, schema: { hide: true, params: Token, querystring: z.strictObject({ nps: Score, stay: Score, saved: z.enum(['1']).optional() }) } as object }, async (req, reply) => {
    const { token } = req.params as { token: string };
    const { nps, stay, saved } = req.query as { nps?: number; stay?: number; saved?: '1' };
    // The score clicked in the email is only pre-selected: link scanners and mail previews open
    // links too, so a GET never records an answer. The customer confirms with one tap (a POST).
    const clicked = nps !== undefined ? { kind: 'nps' as const, value: nps } : stay !== undefined ? { kind: 'stay' as const, value: stay } : undefined;
    return render(req, reply, token, { clicked, saved: !!saved });
  });
  app.post('/s/:token', { onSend, config: { access: 'public' }, schema: { hide: true, params: Token } as object }, async (req, reply) => {
    const { token } = req.params as { token: string };
    const { complete, confirm, ...answers } = (req.body ?? {}) as Record<string, string>;
    try {
      // The one-tap confirmation of an emailed score: saved, and the rest of the survey stays open.
      if (confirm === 'true') {
        await surveys.answerSurvey(ctxOf(req), token, answers, false);
        return reply.redirect(`/s/${token}?saved=1`, 303);
      }
      await surveys.answerSurvey(ctxOf(req), token, answers, complete === 'true');
      const view = await surveys.openSurvey(ctxOf(req), token);
      return reply.type('text/html').send(messagePage(view.language, 'thanks'));
    } catch (e) {
      if (e instanceof z.ZodError || (e as { name?: string }).name === 'ZodError') return reply.status(400).type('text/html').send(messagePage('en', 'missing'));
      return fail(reply, e);
    }
  });
  app.post('/s/:token/partial', { config: { access: 'public' }, schema: { hide: true, params: Token } as object }, async (req) => {
    const { token } = req.params as { token: string };
    return surveys.answerSurvey(ctxOf(req), token, (req.body ?? {}) as Record<string, unknown>, false);
  });
}
