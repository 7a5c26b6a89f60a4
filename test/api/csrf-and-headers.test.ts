import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startKept, type TestKept } from '../helpers/app';
import type { Api } from '../helpers/api';

describe('CSRF, body types and security headers', { timeout: 60_000 }, () => {
  let k: TestKept;
  let agent: Api & { id: number };
  let token: string;
  before(async () => {
    k = await startKept();
    agent = await k.signedIn('agent');
    token = (await agent.post('/auth/tokens', { name: 'script' })).body.token;
  });
  after(() => k.close());

  const customers = async () => (await k.sql<{ n: number }>('SELECT count(*)::int AS n FROM customers'))[0]!.n;
  const aCustomer = (name: string) => JSON.stringify({ name });

  it('a cookie-session write without the CSRF token is refused and changes nothing', async () => {
    const before = await customers();
    const csrf = agent.csrf;
    agent.csrf = null;
    const missing = await agent.raw('POST', '/customers', aCustomer('No token'), { 'content-type': 'application/json' });
    agent.csrf = csrf;
    assert.equal(missing.status, 403);
    assert.equal(missing.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.match(missing.body.detail, /x-kept-csrf/);
    const wrong = await agent.raw('POST', '/customers', aCustomer('Wrong token'), { 'content-type': 'application/json', 'x-kept-csrf': 'x'.repeat(43) });
    assert.equal(wrong.status, 403);
    assert.equal(await customers(), before);
    const right = await agent.raw('POST', '/customers', aCustomer('Right token'), { 'content-type': 'application/json' });
    assert.equal(right.status, 201, 'with the token from the sign-in answer it works');
  });

  it('the CSRF token is bound to its session and is given again by GET /auth/me', async () => {
    const other = await k.signedIn('agent');
    const me = (await agent.get('/auth/me')).body;
    assert.equal(me.csrfToken, agent.csrf, '/auth/me gives the same token a page needs after a reload');
    const borrowed = await other.raw('POST', '/customers', aCustomer('Borrowed'), { 'content-type': 'application/json', 'x-kept-csrf': agent.csrf! });
    assert.equal(borrowed.status, 403, "another session's token does not fit");
    const bot = k.anonymous().useToken(token);
    assert.equal((await bot.get('/auth/me')).body.csrfToken, undefined, 'bearer tokens have no CSRF token');
  });

  it('bearer-token writes need no CSRF token', async () => {
    const bot = k.anonymous().useToken(token);
    assert.equal((await bot.post('/customers', { name: 'From a script' })).status, 201);
  });

  it('an Authorization header does not exempt a cookie-authenticated write from the CSRF check', async () => {
    const before = await customers();
    const csrf = agent.csrf;
    agent.csrf = null;
    const basic = await agent.raw('POST', '/customers', aCustomer('Basic'), { 'content-type': 'application/json', authorization: 'Basic dXNlcjpwYXNz' });
    const empty = await agent.raw('POST', '/customers', aCustomer('Empty'), { 'content-type': 'application/json', authorization: 'Bearer' });
    agent.csrf = csrf;
    assert.equal(basic.status, 403, 'a proxy\'s Basic auth leaves the cookie in charge, and the cookie needs the token');
    assert.equal(empty.status, 403);
    assert.equal(await customers(), before);
  });

  it('a request with both a cookie and a bearer token acts as the token', async () => {
    const other = await k.signedIn('agent');
    const otherToken = (await other.post('/auth/tokens', { name: 'other' })).body.token;
    const res = await agent.request('GET', '/auth/me', undefined, { authorization: `Bearer ${otherToken}` });
    assert.equal(res.body.id, other.id);
    const bad = await agent.request('GET', '/auth/me', undefined, { authorization: 'Bearer kt_not-a-real-token' });
    assert.equal(bad.status, 401, 'a wrong bearer token is not rescued by the cookie');
  });

  it('Origin null, malformed or from another site is refused with 403, never 500', async () => {
    const before = await customers();
    for (const origin of ['null', 'http://[bad', 'not a url', 'https://evil.example', 'file://']) {
      const res = await agent.raw('POST', '/customers', aCustomer(`Origin ${origin}`), { 'content-type': 'application/json', origin });
      assert.equal(res.status, 403, `Origin: ${origin}`);
      assert.equal(res.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    }
    const signIn = await k.anonymous().raw('POST', '/auth/sign-in', JSON.stringify({ email: 'x@example.test', password: 'whatever it is' }), { 'content-type': 'application/json', origin: 'null' });
    assert.equal(signIn.status, 403, 'signing in from another site is refused too');
    assert.equal(await customers(), before);
    const own = await agent.raw('POST', '/customers', aCustomer('Own origin'), { 'content-type': 'application/json', origin: k.baseUrl });
    assert.equal(own.status, 201);
  });

  it('the API refuses form-encoded, multipart and plain-text bodies with 415 and changes nothing', async () => {
    const before = await customers();
    const bot = k.anonymous().useToken(token);
    for (const [type, body] of <[string, string][]>[['application/x-www-form-urlencoded', 'name=Form'], ['text/plain', aCustomer('Plain')], ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nMulti\r\n--x--'], ['text/csv', 'name\nCsv']]) {
      for (const client of [agent, bot]) {
        const res = await client.raw('POST', '/customers', body, { 'content-type': type });
        assert.equal(res.status, 415, `${type} is refused`);
        assert.equal(res.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      }
    }
    const form = await k.anonymous().raw('POST', '/auth/sign-in', 'email=a%40b.test&password=x', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(form.status, 415);
    assert.equal(await customers(), before);
  });

  it('every answer carries a CSP without inline scripts, no framing, nosniff and a referrer policy', async () => {
    for (const path of ['/', '/api/v1/health', '/api/v1/nothing-here', '/cases/1']) {
      const res = await fetch(`${k.baseUrl}${path}`);
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self'(;|$)/, `${path}: ${csp}`);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.match(csp, /object-src 'none'/);
      assert.equal(res.headers.get('x-frame-options'), 'DENY');
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(res.headers.get('referrer-policy'), 'same-origin');
    }
    const index = await (await fetch(`${k.baseUrl}/`)).text();
    assert.doesNotMatch(index, /<script(?![^>]*\bsrc=)[^>]*>/, 'the workspace has no inline script the policy would block');
  });
});
