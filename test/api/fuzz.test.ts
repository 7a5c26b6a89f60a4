import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startKept, type TestKept } from '../helpers/app';

/**
 * A fuzz run generated from the OpenAPI document: every operation gets a bounded, seeded set of
 * malformed requests, as an admin and as an agent, and no answer may be a 5xx. Failures are
 * collected and reported together; the seed and the probe names make each one reproducible.
 */
const SEED = 20260302;
const PROBES_PER_OPERATION = 48;
const BUDGET_MS = 55_000;
const CONCURRENCY = 4;
const PASSWORD = 'correct horse battery';
/** Set to false once the CSRF rewrite (authority branch) is merged: Origin: null must then be a 4xx. */
const ORIGIN_NULL_PENDING = false;

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; required?: string[]; items?: Schema; enum?: unknown[]; const?: unknown;
  anyOf?: Schema[]; oneOf?: Schema[]; allOf?: Schema[]; format?: string; minLength?: number; minimum?: number; maximum?: number; pattern?: string; minItems?: number };
interface Operation { method: string; path: string; params: { name: string; in: string; schema?: Schema }[]; body?: Schema }
interface Probe { name: string; method: string; url: string; body?: string; headers: Record<string, string>; expect4xx?: boolean }

/** mulberry32: small, seeded, good enough to pick probes reproducibly. */
function random(seed: number) {
  let a = seed;
  return () => {
    a |= 0; a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const typeOf = (s: Schema) => (Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type);

/** A plausible value for a schema; `full` fills optional properties too, so each field gets probed. */
function sample(s: Schema | undefined, full: boolean, depth = 0): unknown {
  if (!s || depth > 6) return 'x';
  if (s.const !== undefined) return s.const;
  if (s.enum?.length) return s.enum.find((v) => v !== null) ?? null;
  const alt = s.anyOf ?? s.oneOf;
  if (alt) return sample(alt.find((x) => typeOf(x) !== 'null') ?? alt[0], full, depth + 1);
  if (s.allOf?.length) return sample(s.allOf[0], full, depth + 1);
  switch (typeOf(s)) {
    case 'string':
      if (s.format === 'date-time') return '2026-03-03T10:00:00Z';
      if (s.format === 'email') return 'fuzz@example.test';
      if (s.format === 'uri' || s.format === 'url') return 'https://example.test/x';
      return 'x'.repeat(Math.max(1, s.minLength ?? 1));
    case 'integer': case 'number': return Math.max(1, s.minimum ?? 1);
    case 'boolean': return true;
    case 'array': return [sample(s.items, full, depth + 1)];
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s.properties ?? {})) if (full || s.required?.includes(k)) out[k] = sample(v, full, depth + 1);
      return out;
    }
    default: return 'x';
  }
}

/** Paths to every value inside a sample, for targeted mutation. */
function leaves(v: unknown, at: (string | number)[] = []): { at: (string | number)[]; value: unknown }[] {
  const here = at.length ? [{ at, value: v }] : [];
  if (Array.isArray(v)) return [...here, ...v.flatMap((x, i) => leaves(x, [...at, i]))];
  if (v && typeof v === 'object') return [...here, ...Object.entries(v).flatMap(([k, x]) => leaves(x, [...at, k]))];
  return here;
}

function setAt(root: unknown, at: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const key of at.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[at.at(-1)!] = value;
  return copy;
}

function wrongTypeFor(v: unknown): unknown {
  if (typeof v === 'string') return 12345;
  if (typeof v === 'number') return 'not a number';
  if (typeof v === 'boolean') return 'yes';
  if (Array.isArray(v)) return { not: 'an array' };
  return ['not', 'an', 'object'];
}

const NUL = 'a\u0000b';
const LONE = 'a\ud800b';
const HUGE = 'x'.repeat(70_000);
const BAD_IDS = ['-1', '0', '99999', '2147483648', '99999999999999999999999', 'abc', '1.5', '%00', '%F0%28%8C%28'];

function probesFor(op: Operation, rnd: () => number): Probe[] {
  const pathParams = op.params.filter((p) => p.in === 'path');
  const queryParams = op.params.filter((p) => p.in === 'query');
  const good = (p: { name: string; schema?: Schema }) => (p.name === 'token' ? `sv_${'A'.repeat(43)}` : p.schema && typeOf(p.schema) === 'string' && !/id$/i.test(p.name) ? String(sample(p.schema, false)) : '1');
  const url = (override: Record<string, string> = {}, query = '') => `${op.path.replace(/\{(\w+)\}/g, (_, name: string) => override[name] ?? encodeURIComponent(good({ name, schema: pathParams.find((p) => p.name === name)?.schema })))}${query}`;
  const json = { 'content-type': 'application/json' };
  const hasBody = !!op.body || ['POST', 'PUT', 'PATCH'].includes(op.method);
  const base = op.body ? sample(op.body, false) : undefined;
  const full = op.body ? sample(op.body, true) : undefined;
  const send = (name: string, body: unknown, extra: Partial<Probe> = {}): Probe => ({ name, method: op.method, url: url(), headers: body === undefined ? {} : json, body: body === undefined ? undefined : JSON.stringify(body), ...extra });

  const must: Probe[] = [];
  const may: Probe[] = [];
  // ORIGIN_NULL: the CSRF check in src/core/http/server.ts is rewritten on the authority branch
  // (another engineer); until it is merged this probe's 500 is reported but does not fail the run.
  if (op.method !== 'GET') must.push({ ...send('Origin: null', base ?? {}), headers: { ...json, origin: 'null' }, expect4xx: true });
  for (const p of pathParams) for (const bad of BAD_IDS) may.push({ ...send(`path ${p.name}=${bad}`, base), url: url({ [p.name]: bad }) });
  for (const q of queryParams) {
    must.push({ ...send(`query ${q.name} with NUL`, base), url: url({}, `?${q.name}=${encodeURIComponent(NUL)}`) });
    for (const [name, v] of [['huge', 'x'.repeat(20_000)], ['negative', '-1'], ['huge number', '1e999'], ['array', '[]'], ['lone surrogate', '%ED%A0%80']] as const) {
      may.push({ ...send(`query ${q.name} ${name}`, base), url: url({}, `?${q.name}=${name === 'lone surrogate' ? v : encodeURIComponent(v)}`) });
    }
    may.push({ ...send(`query ${q.name} repeated`, base), url: url({}, `?${q.name}=a&${q.name}=b`) });
  }
  may.push({ ...send('unknown query parameter', base), url: url({}, `?zz${encodeURIComponent(NUL)}=1`) });
  if (hasBody) {
    must.push(send('empty body with JSON type', undefined, { headers: json }), send('{}', {}), send('[]', []), send('null', null));
    must.push({ ...send('invalid JSON', undefined), headers: json, body: '{"a": ' });
    may.push({ ...send('wrong content type', undefined), headers: { 'content-type': 'text/plain' }, body: 'hello' });
    may.push({ ...send('form body', undefined), headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=b' });
    may.push(send('deeply nested', JSON.parse('['.repeat(200) + ']'.repeat(200))));
    if (full !== undefined) {
      may.push(send('all fields', full));
      for (const { at, value } of leaves(full)) {
        const name = at.join('.');
        if (typeof value === 'string') must.push(send(`${name} with NUL`, setAt(full, at, NUL)), send(`${name} huge`, setAt(full, at, HUGE)));
        if (typeof value === 'string') may.push(send(`${name} lone surrogate`, setAt(full, at, LONE)));
        if (typeof value === 'number' && /id$/i.test(String(at.at(-1)))) must.push(send(`${name} does not exist`, setAt(full, at, 99999)));
        if (typeof value === 'number') may.push(send(`${name} negative`, setAt(full, at, -1)), send(`${name} huge`, setAt(full, at, 1e300)), send(`${name} beyond int`, setAt(full, at, 2 ** 63)), send(`${name} beyond int4`, setAt(full, at, 2 ** 31)));
        may.push(send(`${name} wrong type`, setAt(full, at, wrongTypeFor(value))), send(`${name} null`, setAt(full, at, null)));
      }
      if (full && typeof full === 'object' && !Array.isArray(full)) must.push(send('unknown key with NUL', { ...full, [`k${NUL}`]: 1 }));
    }
  }
  // Seeded shuffle of the optional probes, then a bounded selection.
  for (let i = may.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [may[i], may[j]] = [may[j]!, may[i]!];
  }
  return [...must, ...may].slice(0, Math.max(PROBES_PER_OPERATION, must.length));
}

describe('fuzz: no input makes the server fail', { timeout: 120_000 }, () => {
  let k: TestKept;
  before(async () => {
    k = await startKept();
  });
  after(() => k?.close());

  async function cookieFor(role: 'admin' | 'agent') {
    const api = await k.signedIn(role);
    const me = (await api.get('/auth/me')).body as { email: string };
    const res = await fetch(`${k.baseUrl}/api/v1/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: me.email, password: PASSWORD }) });
    return res.headers.get('set-cookie')!.split(';')[0]!;
  }

  async function fire(p: Probe, cookie: string): Promise<{ status: number; detail: string }> {
    const res = await fetch(`${k.baseUrl}${p.url}`, { method: p.method, headers: { ...p.headers, cookie }, body: p.body, signal: AbortSignal.timeout(10_000) });
    if (res.headers.get('content-type')?.startsWith('text/event-stream')) {
      await res.body?.cancel();
      return { status: res.status, detail: '' };
    }
    const text = await res.text();
    return { status: res.status, detail: text.slice(0, 300) };
  }

  it('no malformed request to any operation answers 5xx, as an admin or as an agent', async () => {
    // Things for the probes' ids to find, so that handlers get past "does not exist".
    const admin = await k.signedIn('admin');
    const team = (await admin.post('/teams', { name: 'Fuzz team' })).body;
    await admin.post('/departments', { name: 'Fuzz department' });
    const c = (await admin.post('/cases', { subject: 'Fuzz case', channel: 'email', teamId: team.id, customer: { name: 'Fuzz Customer', emails: ['fuzz@customer.test'] } })).body;
    await admin.post(`/cases/${c.id}/commitments`, { text: 'Call back', dueAt: '2026-03-05T10:00:00Z' });
    await admin.post('/surveys', { name: 'Fuzz survey', trigger: 'touchpoint', touchpoint: 'deliver', questions: [{ kind: 'nps' }] });

    const doc = await (await fetch(`${k.baseUrl}/api/v1/openapi.json`)).json() as { paths: Record<string, Record<string, { parameters?: Operation['params']; requestBody?: { content?: Record<string, { schema: Schema }> } }>> };
    const operations: Operation[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        if (path.startsWith('/api/v1/live')) continue; // event streams: nothing to send them
        operations.push({ method: method.toUpperCase(), path, params: op.parameters ?? [], body: op.requestBody?.content?.['application/json']?.schema });
      }
    }
    // The customer's survey page is hidden from the document; probe it too.
    operations.push({ method: 'GET', path: '/s/{token}', params: [{ name: 'token', in: 'path' }, { name: 'nps', in: 'query' }] });
    operations.push({ method: 'POST', path: '/s/{token}', params: [{ name: 'token', in: 'path' }], body: { type: 'object', properties: { nps: { type: 'string' }, comment: { type: 'string' } } } });
    operations.push({ method: 'POST', path: '/s/{token}/partial', params: [{ name: 'token', in: 'path' }], body: { type: 'object', properties: { nps: { type: 'string' } } } });
    assert.ok(operations.length > 80, `the document lists ${operations.length} operations`);

    const rnd = random(SEED);
    const failures: string[] = [];
    const pending: string[] = [];
    const started = Date.now();
    let sent = 0;
    let skipped = 0;
    for (const role of ['admin', 'agent'] as const) {
      let cookie = await cookieFor(role);
      for (const op of operations) {
        const probes = probesFor(op, rnd);
        if (Date.now() - started > BUDGET_MS) {
          skipped += probes.length;
          continue;
        }
        let signedOut = false;
        for (let i = 0; i < probes.length; i += CONCURRENCY) {
          await Promise.all(probes.slice(i, i + CONCURRENCY).map(async (p) => {
            sent += 1;
            try {
              const res = await fire(p, cookie);
              const line = `${role} ${p.method} ${op.path} [${p.name}] → ${res.status} ${res.detail}`;
              if (p.name === 'Origin: null' && res.status === 500 && ORIGIN_NULL_PENDING) pending.push(line);
              else if (res.status >= 500 || (p.expect4xx && (res.status < 400 || res.status >= 500))) failures.push(line);
              if (res.status === 401) signedOut = true;
            } catch (e) {
              failures.push(`${role} ${p.method} ${op.path} [${p.name}] → no answer: ${(e as Error).message}`);
            }
          }));
        }
        // A probe may have signed us out (sign-out, a deactivated self): carry on as a new colleague.
        if (signedOut) cookie = await cookieFor(role);
      }
    }
    if (pending.length) console.log(`fuzz: ${pending.length} "Origin: null" probes still answer 500 (fixed on the authority branch; see ORIGIN_NULL_PENDING)`);
    console.log(`fuzz: ${operations.length} operations, ${sent} requests in ${Date.now() - started} ms, ${skipped} probes over budget (seed ${SEED})`);
    assert.deepEqual(failures, [], `${failures.length} requests failed:\n${failures.join('\n')}`);
  });
});
