import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { startKept, type TestKept } from '../helpers/app';
import { createKept } from '../../src/app';
import { runSubscriber, runSubscribers, type Subscriber } from '../../src/core/subscribers';
import { MINUTE } from '../../src/core/clock';

type Client = Awaited<ReturnType<TestKept['signedIn']>>;

/** A webhook receiver on the loopback that records what it got and can be switched off. */
async function startReceiver() {
  const got: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  let up = true;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      if (!up) { res.writeHead(503).end(); return; }
      got.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return {
    url, got,
    setUp(v: boolean) { up = v; },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('domain events: one stream, subscribers, webhooks and the events API', { timeout: 60_000 }, () => {
  let k: TestKept;
  let admin: Client;
  let agent: Client;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  before(async () => {
    k = await startKept();
    admin = await k.signedIn('admin');
    agent = await k.signedIn('agent');
    receiver = await startReceiver();
  });
  after(async () => {
    await receiver?.close();
    await k?.close();
  });

  it('a registered endpoint gets case.opened signed by the Standard Webhooks scheme', async () => {
    const hook = await admin.post('/webhooks', { url: receiver.url, events: ['case.opened', 'reply.sent'], description: 'shop' });
    assert.equal(hook.status, 201, JSON.stringify(hook.body));
    assert.match(hook.body.secret, /^whsec_/, 'the secret is shown once, on creation');
    assert.equal((await admin.get('/webhooks')).body.items[0].secret, undefined, 'and never again');
    const c = (await agent.post('/cases', { subject: 'Where is my sofa?', channel: 'web', customer: { name: 'Nia Obi' } })).body;
    await k.runTimers();
    const delivered = receiver.got.find((g) => JSON.parse(g.body).data.caseId === c.id);
    assert.ok(delivered, 'the receiver got the event');
    const verified = new Webhook(hook.body.secret).verify(delivered.body, delivered.headers as Record<string, string>) as { type: string; data: { case: { subject: string; customerId: number } } };
    assert.equal(verified.type, 'case.opened');
    assert.equal(verified.data.case.subject, 'Where is my sofa?', 'the payload carries the facts, no second call needed');
    assert.equal(delivered.headers['webhook-id'], `evt_${JSON.parse(delivered.body).data.eventId}`);
    const log = await admin.get(`/webhooks/${hook.body.id}/deliveries`);
    assert.equal(log.body.items[0].status, 'delivered');
    assert.equal(log.body.items[0].lastStatusCode, 204);
    await admin.delete(`/webhooks/${hook.body.id}`);
  });

  it('with the receiver down, every event arrives afterwards, in order per case, none missing', async () => {
    const hook = (await admin.post('/webhooks', { url: receiver.url, events: ['*'] })).body;
    receiver.got.length = 0;
    receiver.setUp(false);
    const cases: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const c = (await agent.post('/cases', { subject: `Order ${i}`, channel: 'web', customer: { name: `Customer ${i}` } })).body;
      cases.push(c.id);
      await agent.post(`/cases/${c.id}/notes`, { body: 'first note' });
      await agent.post(`/cases/${c.id}/notes`, { body: 'second note' });
    }
    await k.runTimers();
    const waiting = await admin.get(`/webhooks/${hook.id}/deliveries?status=pending`);
    assert.ok(waiting.body.items.length >= 9, 'the deliveries wait');
    assert.ok(waiting.body.items.some((d: { lastStatusCode: number }) => d.lastStatusCode === 503), 'the failure is in the log');
    receiver.setUp(true);
    for (let i = 0; i < 8; i += 1) {
      k.clock.advance(2 * MINUTE);
      await k.runTimers();
    }
    for (const caseId of cases) {
      const types = receiver.got.map((g) => JSON.parse(g.body)).filter((b) => b.data.caseId === caseId).map((b) => `${b.type}:${b.data.body ?? ''}`);
      assert.deepEqual(types.filter((t) => !t.startsWith('customer.')), ['case.opened:', 'note.added:first note', 'note.added:second note'], `case ${caseId} in order`);
    }
    await admin.delete(`/webhooks/${hook.id}`);
  });

  it('a webhook to a private address, a non-http URL or an unknown event type is refused and nothing is stored', async () => {
    const strict = await createKept({ databaseUrl: k.databaseUrl, clock: k.clock, logLevel: 'silent', autoTimers: false, poolSize: 2 });
    const base = await strict.http.listen({ port: 0, host: '127.0.0.1' });
    try {
      const token = (await admin.post('/auth/tokens', { name: 'hooks' })).body.token;
      const post = (body: object) => fetch(`${base}/api/v1/webhooks`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const before = await k.sql<{ n: number }>('SELECT count(*)::int AS n FROM webhooks');
      for (const [body, rule] of [
        [{ url: 'http://127.0.0.1:9/x', events: ['case.opened'] }, 'public'],
        [{ url: 'http://10.1.2.3/x', events: ['case.opened'] }, 'public'],
        [{ url: 'http://[::1]/x', events: ['case.opened'] }, 'public'],
        [{ url: 'http://169.254.169.254/latest', events: ['case.opened'] }, 'public'],
        [{ url: 'ftp://example.com/x', events: ['case.opened'] }, 'scheme'],
        [{ url: 'https://example.com/x', events: ['case.exploded'] }, 'known'],
      ] as const) {
        const res = await post(body);
        assert.equal(res.status, 422, JSON.stringify(body));
        assert.match(res.headers.get('content-type') ?? '', /problem\+json/);
        const problem = await res.json() as { errors: { rule: string }[] };
        assert.equal(problem.errors[0]!.rule, rule, JSON.stringify(problem));
      }
      assert.deepEqual(await k.sql('SELECT count(*)::int AS n FROM webhooks'), before, 'nothing stored');
    } finally {
      await strict.close();
    }
  });

  it('only admins manage webhooks', async () => {
    const res = await agent.post('/webhooks', { url: receiver.url, events: ['case.opened'] });
    assert.equal(res.status, 403);
  });

  it('the events API pages through the stream with a cursor, filtered by type, and hides admin events from others', async () => {
    const first = await agent.get('/events?types=case.opened&limit=2');
    assert.equal(first.status, 200);
    assert.equal(first.body.items.length, 2);
    assert.ok(first.body.items.every((e: { type: string }) => e.type === 'case.opened'));
    const second = await agent.get(`/events?types=case.opened&limit=2&after=${first.body.next}`);
    assert.ok(second.body.items[0].id > first.body.items[1].id, 'the next page follows on');
    const hook = (await admin.post('/webhooks', { url: receiver.url, events: ['case.opened'] })).body;
    await admin.post(`/webhooks/${hook.id}/test`);
    await k.runTimers();
    const all = async (c: Client) => {
      const types: string[] = [];
      let after = '';
      for (;;) {
        const page = await c.get(`/events?limit=500${after ? `&after=${after}` : ''}`);
        types.push(...page.body.items.map((e: { type: string }) => e.type));
        if (!page.body.items.length) return types;
        after = page.body.next;
      }
    };
    assert.ok((await all(admin)).includes('webhook.test'));
    assert.ok(!(await all(agent)).includes('webhook.test'), 'an agent does not see admin events');
    assert.equal((await agent.get('/events?types=case.nonsense')).status, 422);
    assert.equal((await agent.get('/events?after=not-a-cursor')).status, 422);
    await admin.delete(`/webhooks/${hook.id}`);
  });

  it('a failing subscriber retries, then sets the event aside, and never holds up another subscriber', async () => {
    let calls = 0;
    const failing: Subscriber = { name: 'test.failing', types: ['note.added'], async handle() { calls += 1; throw new Error('receiver exploded'); } };
    const seen: number[] = [];
    const healthy: Subscriber = { name: 'test.healthy', types: ['note.added'], async handle(_ctx, e) { seen.push(e.id); } };
    const c = (await agent.post('/cases', { subject: 'Noisy', channel: 'web', customer: { name: 'Sam Failing' } })).body;
    // Start both subscribers at the end of the stream, then add one note.
    for (const s of [failing, healthy]) await k.sql(`INSERT INTO event_cursors (subscriber, last_tx_id, last_id) SELECT $1, tx_id, id FROM domain_events ORDER BY tx_id DESC, id DESC LIMIT 1`, [s.name]);
    await agent.post(`/cases/${c.id}/notes`, { body: 'one note' });
    for (let i = 0; i < 6; i += 1) {
      await runSubscriber(k.kept.ctx, failing);
      k.clock.advance(2 * MINUTE);
    }
    await runSubscriber(k.kept.ctx, healthy);
    assert.equal(seen.length, 1, 'the healthy subscriber handled the note');
    assert.equal(calls, 5, 'the failing one tried five times');
    const parked = await k.sql<{ error: string }>(`SELECT error FROM event_failures WHERE subscriber = 'test.failing'`);
    assert.deepEqual(parked.map((p) => p.error), ['receiver exploded'], 'then set the event aside with its error');
    assert.equal(await runSubscriber(k.kept.ctx, failing), 0, 'and went on with the stream');
  });

  it('run together in one transaction, a failing subscriber still holds up neither another nor the events after it', async () => {
    let calls = 0;
    const failing: Subscriber = { name: 'test.together-failing', types: ['note.added'], async handle() { calls += 1; throw new Error('still exploding'); } };
    const seen: number[] = [];
    const healthy: Subscriber = { name: 'test.together-healthy', types: ['note.added', 'case.opened'], async handle(ctx, e) {
      seen.push(e.id);
      await ctx.db.insertInto('event_failures').values({ subscriber: 'test.together-marker', event_id: e.id, error: 'written by a handler', failed_at: ctx.clock.now() }).execute();
    } };
    const c = (await agent.post('/cases', { subject: 'Together', channel: 'web', customer: { name: 'Tess Together' } })).body;
    for (const s of [failing, healthy]) await k.sql(`INSERT INTO event_cursors (subscriber, last_tx_id, last_id) SELECT $1, tx_id, id FROM domain_events ORDER BY tx_id DESC, id DESC LIMIT 1`, [s.name]);
    await agent.post(`/cases/${c.id}/notes`, { body: 'first' });
    await agent.post(`/cases/${c.id}/notes`, { body: 'second' });
    // Both notes in one run, unless another test file's transaction on the cluster holds the second
    // behind the horizon for a moment: then the next run takes it (the failing one waits its backoff).
    let handled = await runSubscribers(k.kept.ctx, [failing, healthy]);
    for (let i = 0; i < 20 && handled < 2; i += 1) handled += await runSubscribers(k.kept.ctx, [failing, healthy]);
    assert.equal(handled, 2, 'the healthy one handled both notes');
    assert.equal(calls, 1, 'the failing one stopped at its first note');
    const written = await k.sql<{ n: number }>(`SELECT count(*)::int AS n FROM event_failures WHERE subscriber = 'test.together-marker'`);
    assert.equal(written[0]!.n, 2, "the healthy handler's writes committed although the other one failed");
    assert.equal(await runSubscribers(k.kept.ctx, [failing, healthy]), 0, 'nothing is handled twice; the failing one waits for its backoff');
    for (let i = 0; i < 10 && calls < 10; i += 1) {
      k.clock.advance(2 * MINUTE);
      await runSubscribers(k.kept.ctx, [failing, healthy]);
    }
    assert.equal(calls, 10, 'five tries for each note, then both were set aside');
    const parked = await k.sql<{ n: number }>(`SELECT count(*)::int AS n FROM event_failures WHERE subscriber = 'test.together-failing'`);
    assert.equal(parked[0]!.n, 2);
    assert.equal(seen.length, 2);
  });

  it('two instances on one database handle each event once: one detractor answer, one recovery', async () => {
    const second = await createKept({ databaseUrl: k.databaseUrl, clock: k.clock, logLevel: 'silent', autoTimers: false, poolSize: 3 });
    try {
      await admin.post('/surveys', { name: 'After', trigger: 'case_resolved', questions: [{ kind: 'nps' }] });
      const c = (await agent.post('/cases', { subject: 'Broken lamp', channel: 'web', customer: { name: 'Dee Tractor', emails: ['dee@example.test'] } })).body;
      await agent.patch(`/cases/${c.id}`, { status: 'resolved' });
      await Promise.all([k.runTimers(), second.timers.runDue()]);
      const [inv] = await k.sql<{ id: number }>('SELECT id FROM survey_invitations WHERE case_id = $1', [c.id]);
      assert.ok(inv, 'the resolved case brought its survey (through a subscriber)');
      const { answerInvitation } = await import('../../src/surveys/service');
      await answerInvitation(k.kept.ctx, inv.id, { nps: 2, comment: 'Nobody called back' }, true);
      await Promise.all([k.runTimers(), second.timers.runDue(), k.runTimers(), second.timers.runDue()]);
      const recoveries = await k.sql<{ n: number }>(`SELECT count(*)::int AS n FROM recoveries WHERE source = 'detractor' AND customer_id = $1`, [c.customerId]);
      assert.equal(recoveries[0]!.n, 1, 'exactly one recovery');
    } finally {
      await second.close();
    }
  });

  it('no feature service imports another feature to tell it something happened', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const src = path.resolve(import.meta.dirname, '../../src');
    const announcing = /\b(openRecovery|inviteAfterResolution|reassignRecoveries|recordFollowUp)\b/;
    for (const feature of fs.readdirSync(src)) {
      const file = path.join(src, feature, 'service.ts');
      if (!fs.existsSync(file) || feature === 'recovery' || feature === 'surveys') continue;
      const imports = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('import'));
      assert.ok(!imports.some((l) => announcing.test(l)), `${feature}/service.ts calls another feature to announce a change`);
    }
  });
});
