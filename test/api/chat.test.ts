import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { startKept, type TestKept } from '../helpers/app';
import { Api } from '../helpers/api';

type Staff = Awaited<ReturnType<TestKept['signedIn']>>;

/** A visitor: no sign-in, only the token the widget keeps. */
class Visitor {
  api: Api;
  id = 0;
  token = '';
  constructor(baseUrl: string) { this.api = new Api(baseUrl); }
  async start(body: Record<string, unknown> = {}) {
    const r = await this.api.post('/chat/conversations', { language: 'en', ...body });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    this.id = r.body.conversationId;
    this.token = r.body.visitorToken;
    return this;
  }
  post(path: string, body?: unknown) { return this.api.post(`/chat/conversations/${this.id}${path}`, body ?? {}, { 'x-kept-visitor': this.token }); }
  view(after = 0) { return this.api.request('GET', `/chat/conversations/${this.id}?after=${after}`, undefined, { 'x-kept-visitor': this.token }); }
  say(body: string) { return this.post('/messages', { body }); }
}

describe('live chat: a human is always reachable', () => {
  let k: TestKept;
  let admin: Staff;
  let teamId: number;
  before(async () => {
    k = await startKept(); // Monday 2 March 2026, 10:00 in Berlin: open
    admin = await k.signedIn('admin');
    teamId = (await admin.post('/teams', { name: 'Chat team' })).body.id;
  });
  after(() => k.close());

  it('a visitor asking for a person sees their place and an estimate, and the agent who accepts owns the chat as a case', async () => {
    const ada = await k.signedIn('agent', { name: 'Ada Agent', teamId });
    assert.equal((await ada.put('/chat/presence', { status: 'available', capacity: 2 })).status, 200);
    const v = await new Visitor(k.baseUrl).start({ teamId });
    assert.equal((await v.say('My parcel never arrived')).status, 201);
    const asked = await v.post('/person');
    assert.equal(asked.status, 200, JSON.stringify(asked.body));
    assert.equal(asked.body.status, 'queued');
    assert.equal(asked.body.position, 1);
    assert.equal(asked.body.estimatedWaitSeconds, 30);

    const desk = await ada.get('/chat/desk');
    assert.deepEqual(desk.body.waiting.map((w: { id: number }) => w.id), [v.id]);
    assert.equal(desk.body.waiting[0].offeredToMe, true, 'the longest-idle available agent is offered the head of the queue');

    k.clock.advance(45_000);
    const accepted = await ada.post(`/chat/desk/${v.id}/accept`);
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    const caseId = accepted.body.caseId;
    assert.equal((await ada.post(`/chat/desk/${v.id}/replies`, { body: 'Hello, I am looking into it now.' })).status, 201);
    assert.equal((await v.say('Thank you!')).status, 201);

    const seen = await v.view();
    assert.equal(seen.body.status, 'active');
    assert.equal(seen.body.agentName, 'Ada Agent');
    assert.deepEqual(seen.body.messages.map((m: { author: string }) => m.author), ['visitor', 'system', 'agent', 'visitor']);
    assert.deepEqual((await v.view(2)).body.messages.map((m: { seq: number }) => m.seq), [3, 4], 'resync: everything after seq N');

    const c = (await ada.get(`/cases/${caseId}`)).body;
    assert.equal(c.channel, 'chat');
    assert.equal(c.ownerId, ada.id);
    const timeline = (await ada.get(`/cases/${caseId}/timeline`)).body.items;
    assert.deepEqual(timeline.filter((e: { kind: string }) => e.kind.endsWith('message') || e.kind === 'outbound_reply').map((e: { body: string }) => e.body),
      ['My parcel never arrived', 'Hello, I am looking into it now.', 'Thank you!'], 'the transcript is the case timeline');

    const lead = await k.signedIn('lead', { teamId });
    const live = (await lead.get('/chat/live-queue')).body;
    assert.equal(live.today.answered, 1);
    assert.equal(live.today.estimatesMeasured, 1);
    assert.equal(live.today.meanErrorSeconds, 15, 'told 30 s, waited 45 s');
  });

  it('a hand-over of a live chat uses the case handshake, and the visitor is told who took over', async () => {
    const bo = await k.signedIn('agent', { name: 'Bo Agent', teamId });
    const cy = await k.signedIn('agent', { name: 'Cy Agent', teamId });
    await bo.put('/chat/presence', { status: 'available' });
    const v = await new Visitor(k.baseUrl).start({ teamId });
    await v.post('/person');
    const { caseId } = (await bo.post(`/chat/desk/${v.id}/accept`)).body;
    const offer = await bo.post(`/cases/${caseId}/handovers`, { toStaffId: cy.id, note: 'Billing question, Cy knows the invoices.' });
    assert.equal(offer.status, 201);
    assert.equal((await cy.post(`/handovers/${offer.body.id}/accept`)).status, 200);
    await k.runTimers();
    const view = (await v.view()).body;
    assert.equal(view.agentName, 'Cy Agent');
    assert.match(view.messages.at(-1).body, /Cy Agent is taking over from Bo Agent/);
    assert.equal((await bo.post(`/chat/desk/${v.id}/replies`, { body: 'still me?' })).status, 403);
    assert.equal((await cy.post(`/chat/desk/${v.id}/replies`, { body: 'I have your invoice here.' })).status, 201);
    const ended = await cy.post(`/chat/desk/${v.id}/end`, { resolve: true });
    assert.equal(ended.status, 200, JSON.stringify(ended.body));
    assert.equal((await v.view()).body.status, 'ended');
    assert.equal((await cy.get(`/cases/${caseId}`)).body.status, 'resolved', 'ending with resolve resolves the case (and its survey follows case.resolved)');
  });

  it('with nobody online the visitor is told when a person will be there, and a case holds that expectation', async () => {
    const lonely = (await admin.post('/teams', { name: 'Night team' })).body.id;
    const v = await new Visitor(k.baseUrl).start({ teamId: lonely, language: 'de' });
    await v.say('Wo ist meine Rechnung?');
    const asked = await v.post('/person');
    assert.equal(asked.body.status, 'waiting_as_case');
    assert.ok(asked.body.expectedAt);
    assert.ok(asked.body.caseId);
    assert.match(asked.body.messages.at(-1).body, /Ein Mensch antwortet bis/);
    const c = (await admin.get(`/cases/${asked.body.caseId}`)).body;
    assert.equal(c.channel, 'chat');
    const expected = c.firstResponseDueAt ?? null;
    if (expected) assert.equal(new Date(asked.body.expectedAt).toISOString(), new Date(expected).toISOString());
    // The visitor goes on writing: it reaches the case.
    await v.say('Rechnungsnummer 4711');
    const bodies = (await admin.get(`/cases/${c.id}/timeline`)).body.items.map((e: { body: string }) => e.body);
    assert.ok(bodies.includes('Rechnungsnummer 4711'));
  });

  it('outside business hours the answer names the next opening and the chat becomes a case', async () => {
    const ada = await k.signedIn('agent', { teamId });
    await ada.put('/chat/presence', { status: 'available' });
    const saved = k.clock.now();
    k.clock.set(new Date('2026-03-07T12:00:00Z')); // Saturday
    try {
      const v = await new Visitor(k.baseUrl).start({ teamId });
      const asked = await v.post('/person');
      assert.equal(asked.body.status, 'waiting_as_case');
      assert.ok(new Date(asked.body.expectedAt) >= new Date('2026-03-09T08:00:00Z'), 'not before Monday morning');
    } finally {
      k.clock.set(saved);
    }
  });

  it('a forged visitor token for another conversation is refused and leaks nothing', async () => {
    const a = await new Visitor(k.baseUrl).start();
    await a.say('my secret order 123');
    const b = await new Visitor(k.baseUrl).start();
    const forged = await b.api.request('GET', `/chat/conversations/${a.id}`, undefined, { 'x-kept-visitor': b.token });
    const missing = await b.api.request('GET', `/chat/conversations/999999`, undefined, { 'x-kept-visitor': b.token });
    assert.equal(forged.status, 404);
    assert.equal(missing.status, 404);
    assert.equal(forged.body.detail.replace(String(a.id), 'N'), missing.body.detail.replace('999999', 'N'), 'the same answer as for a conversation that does not exist');
    assert.ok(!JSON.stringify(forged.body).includes('secret'));
    const post = await b.api.post(`/chat/conversations/${a.id}/messages`, { body: 'hi' }, { 'x-kept-visitor': b.token });
    assert.equal(post.status, 404);
  });

  it('a message over the size limit is refused, and a flood is rate limited', async () => {
    const v = await new Visitor(k.baseUrl).start();
    const big = await v.say('x'.repeat(2001));
    assert.equal(big.status, 400);
    for (let i = 0; i < 20; i++) assert.equal((await v.say(`message ${i}`)).status, 201);
    const flood = await v.say('one too many');
    assert.equal(flood.status, 429);
    assert.ok(Number(flood.headers.get('retry-after')) > 0);
    k.clock.advance(61_000);
    assert.equal((await v.say('calm again')).status, 201);
  });

  it('a visitor who leaves the queue keeps their place for a few minutes, and continues by email after', async () => {
    const small = (await admin.post('/teams', { name: 'Small team' })).body.id;
    const dee = await k.signedIn('agent', { teamId: small });
    await dee.put('/chat/presence', { status: 'available', capacity: 1 });
    // Fill Dee's one slot so the next visitor waits.
    const first = await new Visitor(k.baseUrl).start({ teamId: small });
    await first.post('/person');
    assert.equal((await dee.post(`/chat/desk/${first.id}/accept`)).status, 200);
    const v = await new Visitor(k.baseUrl).start({ teamId: small });
    await v.say('Can I change my delivery address?');
    const queued = (await v.post('/person')).body;
    assert.equal(queued.status, 'queued');
    assert.ok(queued.estimatedWaitSeconds > 30, 'no free slot: the estimate counts the handle time');
    await v.post('/leave');
    k.clock.advance(2 * 60_000);
    await k.runTimers();
    assert.equal((await v.view()).body.status, 'queued', 'back within the grace: the place is kept');
    await v.post('/leave');
    await v.post('/email', { email: 'erin@example.com' });
    k.clock.advance(6 * 60_000);
    await k.runTimers();
    const after = (await v.view()).body;
    assert.equal(after.status, 'waiting_as_case');
    const c = (await admin.get(`/cases/${after.caseId}`)).body;
    const customer = (await admin.get(`/customers/${c.customerId}`)).body;
    assert.deepEqual(customer.emails, ['erin@example.com']);
  });

  it('messages reach the visitor\'s sockets live, in every tab, and a reconnect resyncs what was missed', async () => {
    const eve = await k.signedIn('agent', { teamId });
    await eve.put('/chat/presence', { status: 'available' });
    const v = await new Visitor(k.baseUrl).start({ teamId });
    await v.say('hello?');
    await v.post('/person');
    await eve.post(`/chat/desk/${v.id}/accept`);
    const open = (after: number) => new Promise<{ ws: WebSocket; views: { lastSeq: number; messages: { body: string }[] }[] }>((resolve, reject) => {
      const ws = new WebSocket(`${k.baseUrl.replace('http', 'ws')}/api/v1/chat/socket`);
      const views: { lastSeq: number; messages: { body: string }[] }[] = [];
      ws.on('message', (d) => { const m = JSON.parse(String(d)); if (m.type === 'view') views.push(m.view); });
      ws.on('open', () => { ws.send(JSON.stringify({ type: 'hello', conversationId: v.id, token: v.token, after })); resolve({ ws, views }); });
      ws.on('error', reject);
    });
    const tab1 = await open(0);
    const tab2 = await open(2);
    const until = async (cond: () => boolean) => { for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 20)); assert.ok(cond()); };
    await until(() => tab1.views.length > 0 && tab2.views.length > 0);
    assert.equal(tab2.views[0]!.messages.length, 0, 'tab 2 already held seq 2');
    await eve.post(`/chat/desk/${v.id}/replies`, { body: 'Here I am' });
    await until(() => tab1.views.some((x) => x.messages.some((m) => m.body === 'Here I am')) && tab2.views.some((x) => x.messages.some((m) => m.body === 'Here I am')));
    tab1.ws.close(); tab2.ws.close();

    const forged = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${k.baseUrl.replace('http', 'ws')}/api/v1/chat/socket`);
      ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', conversationId: v.id, token: 'x'.repeat(32), after: 0 })));
      ws.on('message', (d) => assert.ok(!String(d).includes('Here I am'), 'a forged token hears nothing'));
      ws.on('close', (code) => resolve(code));
    });
    assert.equal(forged, 4404);
  });

  it('the Erlang C calculator answers over HTTP and refuses nonsense', async () => {
    const r = await admin.get('/staffing/erlang-c?arrivalsPerHour=100&ahtSeconds=180&targetSeconds=20&targetLevel=0.8&shrinkage=0.3');
    assert.equal(r.status, 200);
    assert.equal(r.body.agents, 8);
    assert.equal(r.body.scheduledAgents, 12);
    assert.equal((await admin.get('/staffing/erlang-c?arrivalsPerHour=-1&ahtSeconds=180')).status, 400);
    const plan = await admin.get('/staffing/plan?weeks=4&targetSeconds=20&targetLevel=0.8');
    assert.equal(plan.status, 200, JSON.stringify(plan.body));
    assert.equal(plan.body.hours.length, 168);
  });
});
