/**
 * Every error leaves as application/problem+json (RFC 9457) naming the field and the rule
 * broken. This is the one place where errors become HTTP answers.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ZodError } from 'zod';
import { DomainError, type FieldProblem, type Problem } from '../errors';

export type { Problem };

const PG_CODES: Record<string, { status: number; title: string; rule: string }> = {
  '23505': { status: 409, title: 'Conflict', rule: 'unique' },
  '23503': { status: 422, title: 'Invalid request', rule: 'exists' },
  '23514': { status: 422, title: 'Invalid request', rule: 'check' },
  '22P02': { status: 422, title: 'Invalid request', rule: 'format' },
  '22007': { status: 422, title: 'Invalid request', rule: 'format' },
  '22008': { status: 422, title: 'Invalid request', rule: 'format' },
};

function slug(title: string) {
  return `https://kept.example/problems/${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
}

export function problem(status: number, title: string, detail: string, errors?: FieldProblem[]): Problem {
  return { type: slug(title), title, status, detail, ...(errors?.length ? { errors } : {}) };
}

export function toProblem(error: unknown): Problem {
  if (error instanceof DomainError) return problem(error.status, error.title, error.message, error.problems);
  if (error instanceof ZodError) {
    // Validation inside a service (answers checked against a survey's own questions, CSV rows...)
    const errors = error.issues.map((i) => ({ field: ['body', ...i.path.map(String)].join('.'), rule: i.code, message: i.message }));
    return problem(400, 'Invalid request', errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = (error as { validationContext?: string }).validationContext ?? 'body';
    const errors = error.validation.flatMap((v) => {
      const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
      const at = (key?: string) => [where, path, key].filter(Boolean).join('.');
      const unknownKeys = v.keyword === 'unrecognized_keys' ? (v.params as { keys?: string[] }).keys : undefined;
      if (unknownKeys?.length) return unknownKeys.map((k) => ({ field: at(k), rule: 'unknown_field', message: 'is not a field of this request' }));
      return [{ field: at(), rule: v.keyword, message: v.message ?? 'is invalid' }];
    });
    return problem(400, 'Invalid request', errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);
  }
  const e = error as FastifyError & { code?: string; constraint?: string; detail?: string; column?: string };
  if (e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || e instanceof SyntaxError) {
    return problem(400, 'Malformed JSON', `The request body is not valid JSON: ${e.message}`, [{ field: 'body', rule: 'json', message: e.message }]);
  }
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return problem(413, 'Body too large', e.message, [{ field: 'body', rule: 'max_size', message: e.message }]);
  }
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return problem(415, 'Unsupported media type', 'Send JSON with Content-Type: application/json');
  }
  if (e.code && PG_CODES[e.code]) {
    const p = PG_CODES[e.code]!;
    const field = e.column ? `body.${e.column}` : (e.constraint ?? 'body');
    const detail = e.detail ?? e.message;
    return problem(p.status, p.title, detail, [{ field, rule: p.rule, message: detail }]);
  }
  if (typeof e.statusCode === 'number' && e.statusCode < 500) return problem(e.statusCode, e.name || 'Bad request', e.message);
  return problem(500, 'Internal error', 'Something went wrong on our side; it has been logged');
}

export function sendProblem(reply: FastifyReply, req: FastifyRequest, p: Problem) {
  return reply.status(p.status).type('application/problem+json').send({ ...p, instance: req.url, requestId: String(req.id) });
}
