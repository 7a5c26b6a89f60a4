import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startKept, type TestKept } from '../helpers/app';

const TOKEN = 'metrics-token-for-the-test-0123456789';

interface Sample { name: string; labels: Record<string, string>; value: number }

/**
 * A strict reader of the Prometheus text exposition format (0.0.4): every line is a comment
 * (# HELP / # TYPE), blank, or `name{label="value",...} number`; anything else throws. Every
 * sample must belong to a family declared by # TYPE.
 */
function parsePrometheus(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  const name = '[a-zA-Z_:][a-zA-Z0-9_:]*';
  // Values as Prometheus itself reads them (Go's ParseFloat: NaN and Inf in any letter case).
  const sampleLine = new RegExp(`^(${name})(?:\\{(.*)\\})? (-?(?:[0-9.]+(?:e[+-]?[0-9]+)?|[Nn][Aa][Nn]|[+-]?[Ii]nf))(?: -?[0-9]+)?$`);
  const label = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/;
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    if (line.startsWith('# HELP ')) continue;
    if (line.startsWith('# TYPE ')) {
      const [, , family, type, extra] = line.split(' ');
      assert.equal(extra, undefined, `line ${i + 1}: # TYPE takes two words`);
      assert.match(type!, /^(counter|gauge|histogram|summary|untyped)$/, `line ${i + 1}: type`);
      types.set(family!, type!);
      continue;
    }
    assert.ok(!line.startsWith('#'), `line ${i + 1}: unknown comment ${line}`);
    const m = sampleLine.exec(line);
    assert.ok(m, `line ${i + 1} is not a sample: ${line}`);
    const labels: Record<string, string> = {};
    let rest = m[2] ?? '';
    while (rest) {
      const l = label.exec(rest);
      assert.ok(l, `line ${i + 1}: bad labels ${m[2]}`);
      labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
      rest = rest.slice(l[0].length);
    }
    const family = m[1]!.replace(/_(bucket|sum|count|total|created)$/, '');
    assert.ok(types.has(m[1]!) || types.has(family), `line ${i + 1}: ${m[1]} has no # TYPE`);
    samples.push({ name: m[1]!, labels, value: Number(m[3]!.replace('+Inf', 'Infinity')) });
  }
  return { types, samples };
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0);
}

describe('operations: metrics, health and request ids', { timeout: 60_000 }, () => {
  let k: TestKept;
  let metricsPort: number;
  before(async () => {
    k = await startKept({ options: { metricsToken: TOKEN, metricsPort: 0 } });
    metricsPort = k.kept.metricsPort!;
  });
  after(async () => k?.close());

  const scrape = async (url = `${k.baseUrl}/metrics`, token: string | null = TOKEN) => {
    const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
  };

  it('metrics need the token on the main port and answer on their own port', async () => {
    assert.equal((await scrape(undefined, null)).status, 401);
    assert.equal((await scrape(undefined, 'wrong-token-wrong-token-wrong')).status, 401);
    const ok = await scrape();
    assert.equal(ok.status, 200);
    assert.match(ok.type!, /^text\/plain; version=0\.0\.4/);
    const own = await scrape(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.equal(own.status, 200);
    parsePrometheus(own.text);
  });

  it('the figures parse as Prometheus text and change with load', async () => {
    const before = parsePrometheus((await scrape()).text).samples;
    assert.equal(parsePrometheus((await scrape()).text).types.get('kept_http_request_duration_seconds'), 'histogram');
    const agent = await k.signedIn('agent');
    for (let i = 0; i < 5; i++) {
      const res = await agent.post('/cases', { subject: `Load ${i}`, channel: 'email', customer: { name: `Load ${i}`, emails: [`load${i}@example.com`] } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal((await agent.get(`/cases/${res.body.id}`)).status, 200);
    }
    await k.runTimers();
    const after = parsePrometheus((await scrape()).text).samples;
    // by route pattern, never the raw URL
    const caseReads = value(after, 'kept_http_request_duration_seconds_count', { route: '/api/v1/cases/:id', method: 'GET' });
    assert.equal(caseReads - value(before, 'kept_http_request_duration_seconds_count', { route: '/api/v1/cases/:id', method: 'GET' }), 5);
    assert.ok(!after.some((s) => /\/cases\/\d/.test(s.labels.route ?? '')), 'no series per case id');
    assert.equal(value(after, 'kept_open_cases') - value(before, 'kept_open_cases'), 5);
    assert.ok(value(after, 'kept_db_pool_connections', { state: 'total' }) >= 1);
    assert.ok(after.some((s) => s.name === 'kept_subscriber_lag_events'), 'subscriber lag is reported');
    assert.ok(after.some((s) => s.name === 'kept_timer_lag_seconds'), 'timer lag is reported');
    assert.ok(value(after, 'kept_timer_sweep_duration_seconds_count') > value(before, 'kept_timer_sweep_duration_seconds_count'));
    for (const name of ['kept_webhook_backlog', 'kept_outbound_emails', 'kept_inbound_emails', 'kept_live_connections', 'kept_open_chats']) {
      assert.ok(after.some((s) => s.name === name), `${name} is reported`);
    }
    // acknowledgements of the new email cases wait in the outbox (no SMTP transport in this test)
    assert.ok(value(after, 'kept_outbound_emails', { status: 'queued' }) >= value(before, 'kept_outbound_emails', { status: 'queued' }));
  });

  it('a live stream is counted while it is open', async () => {
    const agent = await k.signedIn('agent');
    const cookie = (agent as unknown as { cookie: string }).cookie;
    const controller = new AbortController();
    const res = await fetch(`${k.baseUrl}/api/v1/live`, { headers: { cookie }, signal: controller.signal });
    assert.equal(res.status, 200);
    assert.equal(value(parsePrometheus((await scrape()).text).samples, 'kept_live_connections'), 1);
    controller.abort();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(value(parsePrometheus((await scrape()).text).samples, 'kept_live_connections'), 0);
  });

  it('liveness and readiness answer without signing in', async () => {
    const live = await fetch(`${k.baseUrl}/api/v1/health/live`);
    assert.deepEqual(await live.json(), { status: 'alive' });
    const ready = await fetch(`${k.baseUrl}/api/v1/health/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready' });
    const doc = await (await fetch(`${k.baseUrl}/api/v1/openapi.json`)).json() as { paths: Record<string, unknown> };
    assert.ok(doc.paths['/api/v1/health/live'] && doc.paths['/api/v1/health/ready'], Object.keys(doc.paths).filter((p) => p.includes('health')).join());
  });

  it('readiness fails while a migration is missing', async () => {
    const [last] = await k.sql<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name DESC LIMIT 1');
    await k.sql('DELETE FROM schema_migrations WHERE name = $1', [last!.name]);
    try {
      const ready = await fetch(`${k.baseUrl}/api/v1/health/ready`);
      assert.equal(ready.status, 503);
      assert.match(((await ready.json()) as { reason: string }).reason, new RegExp(last!.name));
    } finally {
      await k.sql('INSERT INTO schema_migrations (name) VALUES ($1)', [last!.name]);
    }
  });

  it('an error names the request id that is also in the x-request-id header', async () => {
    const agent = await k.signedIn('agent');
    const res = await agent.get('/cases/999999999');
    assert.equal(res.status, 404);
    assert.match(res.body.requestId, /^[0-9a-f-]{36}$/);
    assert.equal(res.headers.get('x-request-id'), res.body.requestId);
    const traced = await fetch(`${k.baseUrl}/api/v1/cases/1`, { headers: { 'x-request-id': 'proxy-abc.123' } });
    assert.equal(((await traced.json()) as { requestId: string }).requestId, 'proxy-abc.123');
  });
});
