import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createKept, type Kept } from '../../src/app';
import { MINUTE } from '../../src/core/clock';
import { loadConfig } from '../../src/core/config';
import { startKept, type TestKept } from '../helpers/app';
import type { Api } from '../helpers/api';

const PASSWORD = 'violet canyon lantern';

describe('sign-in throttling, the password policy and ending sessions', { timeout: 60_000 }, () => {
  let k: TestKept;
  let admin: Api & { id: number };
  let second: Kept;
  let secondUrl: string;
  let n = 0;
  before(async () => {
    k = await startKept();
    admin = await k.signedIn('admin');
    // A second app instance on the same database, as behind a load balancer.
    second = await createKept({ databaseUrl: k.databaseUrl, clock: k.clock, logLevel: 'silent', autoTimers: false, poolSize: 3 });
    secondUrl = await second.http.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await second?.close();
    await k?.close();
  });

  async function person(name?: string) {
    n += 1;
    const email = `person${n}@example.test`;
    name ??= `Sam Person ${n}`;
    const res = await admin.post('/staff', { name, email, role: 'agent', password: PASSWORD });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return { id: res.body.id as number, email, name };
  }
  const signIn = (email: string, password: string, base = k.baseUrl) =>
    fetch(`${base}/api/v1/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  /** Lets every throttle window pass, so the next test starts afresh. */
  const waitOutThrottle = () => k.clock.advance(16 * MINUTE);

  it('sign-in is throttled after five failures for one account, with 429 and Retry-After', async () => {
    const p = await person();
    for (let i = 0; i < 5; i++) assert.equal((await signIn(p.email, `wrong guess number ${i}`)).status, 401);
    const refused = await signIn(p.email, 'yet another guess');
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    const wait = Number(refused.headers.get('retry-after'));
    assert.ok(wait > 0 && wait <= 15 * 60, `Retry-After says how long: ${wait}`);
    assert.match(((await refused.json()) as { detail: string }).detail, /Too many failed sign-in attempts/);
    assert.equal((await signIn(p.email, PASSWORD)).status, 429, 'while locked even the right password waits');
    k.clock.advance(wait * 1000);
    assert.equal((await signIn(p.email, PASSWORD)).status, 200, 'after Retry-After the right password works');
    waitOutThrottle();
  });

  it('sign-in is throttled per address after twenty failures across any accounts', async () => {
    for (let i = 0; i < 20; i++) assert.equal((await signIn(`guess${i}@example.test`, 'not the password')).status, 401);
    const p = await person();
    assert.equal((await signIn(p.email, PASSWORD)).status, 429, 'the address is throttled for every account');
    waitOutThrottle();
    assert.equal((await signIn(p.email, PASSWORD)).status, 200);
  });

  it('X-Forwarded-For is believed only from a proxy named in KEPT_TRUST_PROXY', async () => {
    const from = (ip: string, base = k.baseUrl) => (email: string, password: string) =>
      fetch(`${base}/api/v1/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': ip }, body: JSON.stringify({ email, password }) });
    // Not trusted (the default): a guesser cannot escape the per-address limit by writing the header.
    for (let i = 0; i < 20; i++) assert.equal((await from(`198.51.100.${i}`)(`forged${i}@example.test`, 'not the password')).status, 401);
    const p = await person();
    assert.equal((await from('198.51.100.99')(p.email, PASSWORD)).status, 429, 'a forged header is not a new address');
    waitOutThrottle();

    // Behind a proxy it trusts (here the test itself, on loopback), each customer is an address of its own.
    const proxied = await createKept({ databaseUrl: k.databaseUrl, clock: k.clock, logLevel: 'silent', autoTimers: false, poolSize: 3, trustProxy: loadConfig({ KEPT_TRUST_PROXY: '127.0.0.1' }).trustProxy });
    try {
      const base = await proxied.http.listen({ port: 0, host: '127.0.0.1' });
      for (let i = 0; i < 20; i++) assert.equal((await from('203.0.113.7', base)(`behind${i}@example.test`, 'not the password')).status, 401);
      assert.equal((await from('203.0.113.7', base)(p.email, PASSWORD)).status, 429, 'the guesser behind the proxy is throttled');
      assert.equal((await from('203.0.113.8', base)(p.email, PASSWORD)).status, 200, 'another customer behind the same proxy is not');
    } finally {
      await proxied.close();
    }
    waitOutThrottle();
  });

  it('KEPT_TRUST_PROXY takes addresses, ranges or hops, and refuses anything else by name', () => {
    assert.deepEqual(loadConfig({ KEPT_TRUST_PROXY: '127.0.0.1, 10.0.0.0/8, ::1' }).trustProxy, ['127.0.0.1', '10.0.0.0/8', '::1']);
    assert.equal(loadConfig({ KEPT_TRUST_PROXY: '2' }).trustProxy, 2);
    assert.equal(loadConfig({}).trustProxy, false);
    for (const bad of ['true', 'everyone', '10.0.0.0/33', '300.1.1.1']) {
      assert.throws(() => loadConfig({ KEPT_TRUST_PROXY: bad }), /KEPT_TRUST_PROXY: the addresses/, bad);
    }
  });

  it('throttling holds across app instances on one database', async () => {
    const p = await person();
    for (let i = 0; i < 3; i++) assert.equal((await signIn(p.email, `first instance ${i}`)).status, 401);
    for (let i = 0; i < 2; i++) assert.equal((await signIn(p.email, `second instance ${i}`, secondUrl)).status, 401);
    assert.equal((await signIn(p.email, 'one more', secondUrl)).status, 429);
    assert.equal((await signIn(p.email, 'one more')).status, 429);
    waitOutThrottle();
  });

  it('parallel guesses cannot slip past the limit', async () => {
    const p = await person();
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => signIn(p.email, `parallel guess ${i}`)));
    const statuses = answers.map((a) => a.status);
    assert.equal(statuses.filter((s) => s === 401).length, 5, `only five guesses are checked: ${statuses}`);
    assert.equal(statuses.filter((s) => s === 429).length, 7);
    waitOutThrottle();
  });

  it('unknown emails take as long to refuse as known ones', async () => {
    const p = await person();
    const time = async (email: string, password: string) => {
      const started = performance.now();
      assert.equal((await signIn(email, password)).status, 401);
      return performance.now() - started;
    };
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 4; i++) {
      known.push(await time(p.email, `wrong password ${i}`));
      unknown.push(await time(`nobody${i}@example.test`, `wrong password ${i}`));
    }
    // The real scrypt work runs for unknown emails too (about 90 ms, against ~1 ms without it).
    assert.ok(median(unknown) > median(known) * 0.5, `known ${median(known).toFixed(1)} ms, unknown ${median(unknown).toFixed(1)} ms`);
    waitOutThrottle();
  });

  it('successful sign-ins are never throttled', async () => {
    const p = await person();
    for (let i = 0; i < 25; i++) assert.equal((await signIn(p.email, PASSWORD)).status, 200, `sign-in ${i + 1}`);
    const failures = await k.sql<{ n: number }>('SELECT count(*)::int AS n FROM sign_in_failures');
    assert.equal(failures[0]!.n, 0, 'a success leaves no failure behind');
  });

  it('a weak password is refused, with the reason, when staff are created, when one changes it and on an admin reset', async () => {
    const before = (await k.sql<{ n: number }>('SELECT count(*)::int AS n FROM staff'))[0]!.n;
    const weak: [string, string][] = [
      ['aaaaaaaaaa', 'password_too_short'], ['          ', 'password_too_short'], ['1234567890', 'password_too_short'], ['password12', 'password_too_short'],
      ['aaaaaaaaaaaaaaa', 'password_repetitive'], ['               ', 'password_repetitive'], ['abcabcabcabc', 'password_repetitive'],
      ['123456789012', 'password_sequence'], ['qwertyuiopasdf', 'password_sequence'], ['abcdefghijklm', 'password_sequence'],
      ['password1234', 'password_common'], ['P@ssw0rd2026!', 'password_common'], ['Qwerty2026!!', 'password_common'], ['summer-dragon', 'password_common'],
      ['newbie@example.test', 'password_personal'], ['Nora Newbie 1999', 'password_personal'],
    ];
    for (const [password, rule] of weak) {
      const res = await admin.post('/staff', { name: 'Nora Newbie', email: 'newbie@example.test', role: 'agent', password });
      assert.equal(res.status, 400, `${JSON.stringify(password)} is refused`);
      assert.equal(res.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      assert.deepEqual([res.body.errors[0].field, res.body.errors[0].rule], ['body.password', rule], JSON.stringify(password));
      assert.ok(res.body.errors[0].message.length > 10, 'the reason is given in words');
    }
    assert.equal((await k.sql<{ n: number }>('SELECT count(*)::int AS n FROM staff'))[0]!.n, before, 'nobody was created');

    const p = await person('Olga Ortega');
    const me = k.anonymous();
    await me.signIn(p.email, PASSWORD);
    const change = await me.post('/auth/password', { currentPassword: PASSWORD, newPassword: `${p.email}!` });
    assert.deepEqual([change.status, change.body.errors[0].field, change.body.errors[0].rule], [400, 'body.newPassword', 'password_personal']);
    const reset = await admin.patch(`/staff/${p.id}`, { password: 'olgaortega2026' });
    assert.deepEqual([reset.status, reset.body.errors[0].field, reset.body.errors[0].rule], [400, 'body.password', 'password_personal']);
    assert.equal((await signIn(p.email, PASSWORD)).status, 200, 'the refused passwords changed nothing');
    assert.equal((await me.get('/auth/me')).status, 200, 'and signed nobody out');
  });

  it('changing one\'s password ends every other session and every API token, and keeps this one', async () => {
    const p = await person();
    const here = k.anonymous();
    await here.signIn(p.email, PASSWORD);
    const elsewhere = k.anonymous();
    await elsewhere.signIn(p.email, PASSWORD);
    const bot = k.anonymous().useToken((await here.post('/auth/tokens', { name: 'script' })).body.token);
    assert.equal((await bot.get('/auth/me')).status, 200);
    assert.equal((await here.post('/auth/password', { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' })).status, 204);
    assert.equal((await here.get('/auth/me')).status, 200, 'the session that changed it stays signed in');
    assert.equal((await elsewhere.get('/auth/me')).status, 401, 'other sessions are signed out');
    assert.equal((await bot.get('/auth/me')).status, 401, 'API tokens stop working');
    assert.ok((await here.get('/auth/tokens')).body.items.every((t: { revokedAt: string | null }) => t.revokedAt), 'and are listed as revoked');
  });

  it('an admin password reset ends all the person\'s sessions and API tokens', async () => {
    const p = await person();
    const session = k.anonymous();
    await session.signIn(p.email, PASSWORD);
    const bot = k.anonymous().useToken((await session.post('/auth/tokens', { name: 'script' })).body.token);
    assert.equal((await admin.patch(`/staff/${p.id}`, { password: 'reset by the admin today' })).status, 200);
    assert.equal((await session.get('/auth/me')).status, 401);
    assert.equal((await bot.get('/auth/me')).status, 401);
    assert.equal((await signIn(p.email, 'reset by the admin today')).status, 200);
  });

  it('a deactivated person\'s sessions and tokens do not come back on reactivation', async () => {
    const p = await person();
    const session = k.anonymous();
    await session.signIn(p.email, PASSWORD);
    const bot = k.anonymous().useToken((await session.post('/auth/tokens', { name: 'script' })).body.token);
    assert.equal((await admin.patch(`/staff/${p.id}`, { active: false })).status, 200);
    assert.equal((await bot.get('/auth/me')).status, 401);
    assert.equal((await admin.patch(`/staff/${p.id}`, { active: true })).status, 200);
    assert.equal((await session.get('/auth/me')).status, 401, 'the old session stays ended');
    assert.equal((await bot.get('/auth/me')).status, 401, 'the old token stays revoked');
    assert.equal((await signIn(p.email, PASSWORD)).status, 200, 'signing in again works');
  });

  it('signing out with an API token revokes that token', async () => {
    const p = await person();
    const session = k.anonymous();
    await session.signIn(p.email, PASSWORD);
    const bot = k.anonymous().useToken((await session.post('/auth/tokens', { name: 'script' })).body.token);
    assert.equal((await bot.post('/auth/sign-out')).status, 204);
    assert.equal((await bot.get('/auth/me')).status, 401);
    assert.equal((await session.get('/auth/me')).status, 200, 'the session was not the credential used');
  });
});
