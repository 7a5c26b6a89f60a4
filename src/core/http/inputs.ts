/**
 * Input PostgreSQL would refuse, stopped once at the door. PostgreSQL cannot store U+0000 in
 * text (every such request used to end as a 500), and a lone UTF-16 surrogate cannot be
 * encoded as UTF-8 at all (it would be stored as a replacement character, silently changing
 * what the caller sent). We refuse rather than strip: a client that sends these has a bug, and
 * an API that quietly edits its input hides it. An empty PATCH is refused too: "nothing to
 * change" is clearer than answering 200 for a request that did nothing.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FieldProblem } from '../errors';
import { DomainError } from '../errors';

/** Deeper than any request we accept; stops a pathological body from exhausting the stack. */
const MAX_DEPTH = 32;

/** With the u flag, a surrogate pair is one code point: only unpaired halves match. */
const LONE_SURROGATE = /\p{Cs}/u;

function badText(s: string): string | null {
  if (s.includes('\u0000')) return 'contains a NUL character';
  if (LONE_SURROGATE.test(s)) return 'contains an unpaired UTF-16 surrogate (invalid Unicode)';
  return null;
}

/** Every string (values and keys) in a parsed body, query or params, with its path. */
function findBadText(value: unknown, path: string, found: FieldProblem[], depth = 0) {
  if (found.length >= 20) return;
  if (typeof value === 'string') {
    const why = badText(value);
    if (why) found.push({ field: path, rule: 'text', message: why });
    return;
  }
  if (!value || typeof value !== 'object') return;
  if (depth > MAX_DEPTH) {
    found.push({ field: path, rule: 'depth', message: `is nested more than ${MAX_DEPTH} levels deep` });
    return;
  }
  for (const [key, v] of Object.entries(value)) {
    const keyWhy = badText(key);
    const at = `${path}.${keyWhy ? JSON.stringify(key.replace(/\u0000/g, '\\0').replace(/\p{Cs}/gu, '\uFFFD')) : key}`;
    if (keyWhy) found.push({ field: at, rule: 'text', message: `the field name ${keyWhy}` });
    findBadText(v, at, found, depth + 1);
  }
}

function refuse(errors: FieldProblem[]): never {
  throw new DomainError(400, 'Invalid request', errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);
}

function checkText(req: FastifyRequest) {
  const found: FieldProblem[] = [];
  findBadText(req.params, 'params', found);
  findBadText(req.query, 'query', found);
  findBadText(req.body, 'body', found);
  if (found.length) refuse(found);
}

/** After validation: the body is what the route will act on, so "{}" means no change asked for. */
function checkPatchHasChange(req: FastifyRequest) {
  if (req.method !== 'PATCH') return;
  const body = req.body;
  if (body && typeof body === 'object' && !Array.isArray(body) && Object.values(body).every((v) => v === undefined)) {
    refuse([{ field: 'body', rule: 'nothing_to_change', message: 'nothing to change: send at least one field' }]);
  }
}

/** Runs before every handler, after the access check and the route's own validation. */
export function guardInputs(app: { addHook: FastifyInstance['addHook'] }) {
  app.addHook('preHandler', async (req) => {
    checkText(req);
    checkPatchHasChange(req);
  });
}
