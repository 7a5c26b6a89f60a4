import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startKept, type TestKept } from '../helpers/app';
import { CustomerClient, contactForm, latestLink, signInAsCustomer } from '../helpers/portal';
import { HOUR, MINUTE, DAY } from '../../src/core/clock';
import { when } from '../../src/portal';
import { eventsWhen } from '../helpers/events';

const form = (n: string, extra: Record<string, string> = {}) => ({ name: `Visitor ${n}`, email: `visitor-${n}@example.test`, subject: `Subject ${n}`, message: `Message ${n}`, type: 'question', ...extra });
const caseIdOf = (html: string) => Number(/K-(\d+)/.exec(html)![1]);

describe('the web form', () => {
  let k: TestKept;
  before(async () => {
    k = await startKept({ now: '2026-03-02T09:00:00Z' });
    const admin = await k.signedIn('admin');
    await admin.patch('/settings', { name: 'Acme', timeZone: 'Europe/Berlin' });
    await admin.post('/standards', { caseType: 'billing', firstResponseMinutes: 60, resolutionMinutes: 480 });
    await admin.post('/standards', { firstResponseMinutes: 120, resolutionMinutes: 960 });
  });
  after(() => k.close());

  it('a visitor sees the case number and the expected first response and resolution, and gets them by email', async () => {
    const page = await contactForm(k.baseUrl, form('a', { type: 'billing', subject: 'Invoice twice' }));
    assert.equal(page.status, 201, page.text);
    const id = caseIdOf(page.text);
    const [c] = await k.sql<{ channel: string; type: string; first_response_due_at: Date; resolution_due_at: Date }>('SELECT channel, type, first_response_due_at, resolution_due_at FROM cases WHERE id = $1', [id]);
    assert.equal(c!.channel, 'web');
    assert.equal(c!.type, 'billing');
    assert.equal(c!.first_response_due_at.toISOString(), '2026-03-02T10:00:00.000Z', 'one business hour after 10:00 Berlin');
    assert.match(page.text, /You will have our first answer by/);
    assert.match(page.text, /Monday, 2 March 2026 at 11:00/, 'on the organisation’s clock (Berlin)');
    const [mail] = await k.sql<{ text_body: string; to_address: string }>(`SELECT text_body, to_address FROM outbound_emails WHERE case_id = $1`, [id]);
    assert.equal(mail!.to_address, 'visitor-a@example.test');
    assert.match(mail!.text_body, new RegExp(`K-${id}`));
    assert.match(mail!.text_body, /Monday, 2 March 2026 at 11:00/);
  });

  it('a known customer is matched by email: no duplicate record, the message joins their story', async () => {
    const first = caseIdOf((await contactForm(k.baseUrl, form('b'))).text);
    const second = caseIdOf((await contactForm(k.baseUrl, form('b', { email: 'Visitor-B@Example.test', name: 'Someone else' }))).text);
    const rows = await k.sql<{ customer_id: string }>('SELECT customer_id FROM cases WHERE id IN ($1, $2)', [first, second]);
    assert.equal(new Set(rows.map((r) => r.customer_id)).size, 1);
    assert.equal((await k.sql('SELECT 1 FROM customer_emails WHERE email = $1', ['visitor-b@example.test'])).length, 1);
  });

  it('the request type must come from the organisation’s list, and a filled honeypot opens nothing', async () => {
    const wrong = await contactForm(k.baseUrl, form('c', { type: 'made-up' }));
    assert.equal(wrong.status, 422);
    assert.match(wrong.text, /Choose one of: question, billing/);
    const agent = await k.signedIn('agent');
    await agent.post('/cases', { subject: 'At the door', channel: 'phone', touchpoint: 'deliver', customer: { name: 'Someone', emails: ['someone@example.test'] } });
    const page = await fetch(`${k.baseUrl}/contact`).then((r) => r.text());
    assert.match(page, /<option value="deliver">deliver<\/option>/, 'the touchpoints used so far');
    assert.equal((await contactForm(k.baseUrl, form('tp', { touchpoint: 'deliver' }))).status, 201);
    assert.equal((await contactForm(k.baseUrl, form('tp2', { touchpoint: 'moon' }))).status, 422);
    const before = await k.sql('SELECT id FROM cases');
    const bot = await contactForm(k.baseUrl, form('d', { website: 'http://spam.example' }));
    assert.equal(bot.status, 200);
    assert.doesNotMatch(bot.text, /K-\d+/);
    assert.equal((await k.sql('SELECT id FROM cases')).length, before.length);
  });

  it('a form posted from another site is refused', async () => {
    const page = await contactForm(k.baseUrl, form('e'), { origin: 'https://evil.example' });
    assert.equal(page.status, 403);
  });

  it('an attachment is stored with its type from the bytes and refused when it is not a picture, PDF or text', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cf00000301010018dd8db00000000049454e44ae426082', 'hex');
    const body = new FormData();
    for (const [key, value] of Object.entries(form('f'))) body.append(key, value);
    body.append('attachments', new Blob([png], { type: 'text/html' }), 'photo.png');
    const ok = await fetch(`${k.baseUrl}/contact`, { method: 'POST', body });
    assert.equal(ok.status, 201);
    const id = caseIdOf(await ok.text());
    const [a] = await k.sql<{ content_type: string; declared_type: string; entry_id: string }>('SELECT content_type, declared_type, entry_id FROM attachments WHERE case_id = $1', [id]);
    assert.deepEqual([a!.content_type, a!.declared_type], ['image/png', 'text/html']);
    assert.ok(a!.entry_id);
    const exe = new FormData();
    for (const [key, value] of Object.entries(form('g'))) exe.append(key, value);
    exe.append('attachments', new Blob([Buffer.from('4d5a90000300000004000000ffff0000b8000000', 'hex'), Buffer.alloc(200)]), 'setup.exe');
    const refused = await fetch(`${k.baseUrl}/contact`, { method: 'POST', body: exe });
    assert.equal(refused.status, 422);
    assert.match(await refused.text(), /only pictures, PDF and plain text/);
  });

  it('a burst of 200 posts from one address is throttled with 429 and Retry-After, and no post before the limit is lost', async () => {
    k.clock.set(new Date(k.clock.now().getTime() + 2 * HOUR)); // a fresh hour for this address
    const before = Number((await k.sql<{ n: string }>(`SELECT count(*) AS n FROM cases WHERE channel = 'web'`))[0]!.n);
    const answers: { status: number; retryAfter: string | null; id: number | null }[] = [];
    for (let batch = 0; batch < 10; batch++) {
      answers.push(...await Promise.all(Array.from({ length: 20 }, async (_, i) => {
        const page = await contactForm(k.baseUrl, form(`burst-${batch}-${i}`));
        return { status: page.status, retryAfter: page.headers.get('retry-after'), id: page.status === 201 ? caseIdOf(page.text) : null };
      })));
    }
    const accepted = answers.filter((a) => a.status === 201);
    const throttled = answers.filter((a) => a.status === 429);
    assert.equal(accepted.length, 30, 'the per-address limit is 30 an hour');
    assert.equal(throttled.length, 170);
    assert.ok(throttled.every((a) => Number(a.retryAfter) > 0 && Number(a.retryAfter) <= 3600));
    const after = Number((await k.sql<{ n: string }>(`SELECT count(*) AS n FROM cases WHERE channel = 'web'`))[0]!.n);
    assert.equal(after - before, 30, 'every accepted post is a case');
    const stored = await k.sql<{ id: string }>(`SELECT id FROM cases WHERE id = ANY($1::bigint[])`, [accepted.map((a) => a.id)]);
    assert.equal(stored.length, 30);
    const perEmail = [];
    for (let i = 0; i < 7; i++) perEmail.push((await contactForm(k.baseUrl, form('same'), { 'x-forwarded-for': 'ignored' })).status);
    assert.equal(perEmail.filter((s) => s === 429).length, 7, 'this address is still throttled for everyone');
  });
});

describe('the portal', () => {
  let k: TestKept;
  before(async () => {
    k = await startKept({ now: '2026-03-02T09:00:00Z' });
    const admin = await k.signedIn('admin');
    await admin.patch('/settings', { name: 'Acme', timeZone: 'Europe/Berlin', portalReopenDays: 7 });
    await admin.post('/standards', { firstResponseMinutes: 120, resolutionMinutes: 960 });
  });
  after(() => k.close());

  it('asking for a link answers the same for known and unknown addresses; the link works once and for 15 minutes', async () => {
    await contactForm(k.baseUrl, form('known'));
    const visitor = new CustomerClient(k.baseUrl);
    const known = await visitor.post('/portal/link', { email: 'visitor-known@example.test' });
    const unknown = await visitor.post('/portal/link', { email: 'nobody@example.test' });
    assert.equal(known.status, 200);
    assert.equal(unknown.status, known.status);
    assert.equal(unknown.text, known.text);
    assert.equal((await k.sql(`SELECT 1 FROM outbound_emails WHERE to_address = 'nobody@example.test'`)).length, 0);
    const token = await latestLink(k, 'visitor-known@example.test');
    const stored = await k.sql<{ token_hash: Buffer }>('SELECT token_hash FROM portal_links');
    assert.ok(stored.every((r) => !r.token_hash.toString('latin1').includes(token)), 'only the hash is stored');
    assert.equal((await visitor.get(`/portal/sign-in/${token}`)).status, 200, 'opening the link spends nothing');
    const signed = await visitor.post(`/portal/sign-in/${token}`);
    assert.equal(signed.status, 303);
    assert.match(signed.headers.get('set-cookie')!, /kept_portal=ps_[^;]+; Path=\/portal; HttpOnly; SameSite=Lax/);
    assert.match((await visitor.get('/portal')).text, /Subject known/);
    const again = await new CustomerClient(k.baseUrl).post(`/portal/sign-in/${token}`);
    assert.equal(again.status, 404, 'single use');
    await visitor.post('/portal/link', { email: 'visitor-known@example.test' });
    const late = await latestLink(k, 'visitor-known@example.test');
    k.clock.set(new Date(k.clock.now().getTime() + 16 * MINUTE));
    assert.equal((await new CustomerClient(k.baseUrl).post(`/portal/sign-in/${late}`)).status, 404, 'expired after 15 minutes');
  });

  it('"remember this device" keeps the session for 30 days; otherwise it lasts the day', async () => {
    await contactForm(k.baseUrl, form('remember'));
    const kept = await signInAsCustomer(k, 'visitor-remember@example.test', { remember: true });
    const brief = await signInAsCustomer(k, 'visitor-remember@example.test');
    k.clock.set(new Date(k.clock.now().getTime() + 2 * DAY));
    assert.match((await kept.get('/portal')).text, /Subject remember/);
    assert.doesNotMatch((await brief.get('/portal')).text, /Subject remember/);
    assert.match((await brief.get('/portal')).text, /Email me a sign-in link/);
    assert.equal((await kept.post('/portal/sign-out', { csrf: await kept.csrf() })).status, 303);
    assert.match((await kept.get('/portal')).text, /Email me a sign-in link/, 'signed out');
    k.clock.set(new Date(k.clock.now().getTime() + 2 * DAY));
    const fresh = await signInAsCustomer(k, 'visitor-remember@example.test');
    await k.runTimers();
    assert.equal((await k.sql(`SELECT 1 FROM portal_sessions WHERE expires_at < $1::timestamptz - interval '1 day'`, [k.clock.now()])).length, 0, 'expired sessions are swept');
    assert.match((await fresh.get('/portal')).text, /Subject remember/, 'live ones stay');
  });

  it('asking for links is rate limited per address with 429 and Retry-After', async () => {
    const c = new CustomerClient(k.baseUrl);
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push(await c.post('/portal/link', { email: 'flood@example.test' }));
    assert.deepEqual(statuses.map((s) => s.status), [200, 200, 200, 200, 200, 429]);
    assert.ok(Number(statuses[5]!.headers.get('retry-after')) > 0);
  });

  it('a customer sees status, owner’s first name and team, the promise with its due time, and public notes but never internal ones', async () => {
    const admin = await k.signedIn('admin');
    const team = (await admin.post('/teams', { name: 'Billing' })).body;
    const agent = await k.signedIn('agent', { name: 'Petra Schmidt', teamId: team.id });
    const id = caseIdOf((await contactForm(k.baseUrl, form('promise'))).text);
    assert.equal((await agent.post(`/cases/${id}/take`)).status, 200);
    const due = new Date(k.clock.now().getTime() + 2 * DAY).toISOString();
    assert.equal((await agent.post(`/cases/${id}/commitments`, { text: 'I will call you back about the refund', dueAt: due })).status, 201);
    await agent.post(`/cases/${id}/notes`, { body: 'Internal: customer sounds annoyed' });
    await agent.post(`/cases/${id}/notes`, { body: 'We found the double charge', public: true });
    await agent.post(`/cases/${id}/calls`, { body: 'Called: explained the refund', public: true });
    await agent.post(`/cases/${id}/replies`, { body: 'Dear Visitor promise,\n\nThe refund is on its way.' });
    const me = await signInAsCustomer(k, 'visitor-promise@example.test');
    const list = await me.get('/portal');
    assert.match(list.text, /Petra, team Billing/);
    const page = await me.get(`/portal/cases/${id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /I will call you back about the refund/);
    assert.ok(page.text.includes(`by ${when('en', 'Europe/Berlin', due)} · <strong>open</strong>`), 'the promise’s due time on the organisation’s clock');
    assert.match(page.text, /We found the double charge/);
    assert.match(page.text, /Called: explained the refund/);
    assert.match(page.text, /The refund is on its way/);
    assert.doesNotMatch(page.text, /annoyed/);
    assert.doesNotMatch(page.text, /Schmidt/, 'first name only');
    const [c] = await k.sql<{ customer_viewed_reply_at: Date | null }>('SELECT customer_viewed_reply_at FROM cases WHERE id = $1', [id]);
    assert.ok(c!.customer_viewed_reply_at, 'staff see that the customer viewed the latest reply');
    assert.ok((await agent.get(`/cases/${id}`)).body.customerViewedReplyAt);
    await me.get(`/portal/cases/${id}`);
    assert.equal((await k.sql(`SELECT 1 FROM domain_events WHERE type = 'portal.reply_viewed'`)).length, 1, 'a reload is not a new view');
  });

  it('a reply, a close, a reopen within the window and a repeat flag are events on the stream and the case timeline', async () => {
    const agent = await k.signedIn('agent');
    const id = caseIdOf((await contactForm(k.baseUrl, form('writes'))).text);
    await agent.post(`/cases/${id}/take`);
    const me = await signInAsCustomer(k, 'visitor-writes@example.test');
    const csrf = await me.csrf();
    assert.equal((await me.post(`/portal/cases/${id}/reply`, { csrf, body: 'Any news?' })).status, 303);
    assert.equal((await me.post(`/portal/cases/${id}/repeat`, { csrf, note: 'I gave my order number twice' })).status, 303);
    await agent.patch(`/cases/${id}`, { status: 'resolved' });
    assert.match((await me.get(`/portal/cases/${id}`)).text, /Reopen my case/);
    assert.equal((await me.post(`/portal/cases/${id}/reopen`, { csrf })).status, 303);
    assert.equal((await me.post(`/portal/cases/${id}/close`, { csrf })).status, 303);
    const timeline = (await agent.get(`/cases/${id}/timeline`)).body.items as { kind: string; body: string | null; data: Record<string, unknown> }[];
    assert.ok(timeline.some((e) => e.kind === 'inbound_message' && e.body === 'Any news?' && e.data.via === 'portal'));
    assert.ok(timeline.some((e) => e.kind === 'repeat_flagged' && e.body === 'I gave my order number twice'));
    assert.deepEqual(timeline.filter((e) => e.kind === 'status_changed' && e.data.by === 'customer').map((e) => (e.data.after as { status: string }).status), ['waiting_on_us', 'closed']);
    const wanted = ['message.received', 'case.repeat_flagged', 'case.reopened', 'case.closed'];
    const events = await eventsWhen(agent, `case=${id}`, (es) => wanted.every((t) => es.some((e) => e.type === t)));
    const types = events.map((e) => e.type);
    for (const t of wanted) assert.ok(types.includes(t), t);
    assert.ok(events.some((e) => e.type === 'message.received' && e.data.via === 'portal'));
    k.clock.set(new Date(k.clock.now().getTime() + 8 * DAY));
    const again = await signInAsCustomer(k, 'visitor-writes@example.test');
    const late = await again.post(`/portal/cases/${id}/reopen`, { csrf: await again.csrf() });
    assert.equal(late.status, 409, 'the reopening window (7 days) has passed');
  });

  it('a reply may carry files: stored by their bytes, listed on the conversation, downloaded as an attachment', async () => {
    const id = caseIdOf((await contactForm(k.baseUrl, form('files'))).text);
    const me = await signInAsCustomer(k, 'visitor-files@example.test');
    const body = new FormData();
    body.append('csrf', await me.csrf());
    body.append('body', 'Here is the receipt');
    body.append('attachments', new Blob(['<html><script>alert(1)</script> receipt 49.90'], { type: 'text/html' }), 'receipt.html');
    const sent = await fetch(`${k.baseUrl}/portal/cases/${id}/reply`, { method: 'POST', body, headers: { cookie: me.cookie! }, redirect: 'manual' });
    assert.equal(sent.status, 303);
    const page = await me.get(`/portal/cases/${id}`);
    const attachmentId = Number(/\/portal\/attachments\/(\d+)/.exec(page.text)![1]);
    const file = await fetch(`${k.baseUrl}/portal/attachments/${attachmentId}`, { headers: { cookie: me.cookie! } });
    assert.equal(file.status, 200);
    assert.match(file.headers.get('content-disposition')!, /^attachment; filename="receipt.html"/);
    assert.equal(file.headers.get('content-type'), 'text/plain', 'the bytes say text: never served as a page');
    assert.equal(file.headers.get('x-content-type-options'), 'nosniff');
    const exe = new FormData();
    exe.append('csrf', await me.csrf());
    exe.append('body', 'and a program');
    exe.append('attachments', new Blob([Buffer.from('4d5a90000300000004000000ffff0000b8000000', 'hex'), Buffer.alloc(200)]), 'setup.exe');
    const refused = await fetch(`${k.baseUrl}/portal/cases/${id}/reply`, { method: 'POST', body: exe, headers: { cookie: me.cookie! }, redirect: 'manual' });
    assert.equal(refused.status, 422);
    assert.equal((await k.sql(`SELECT 1 FROM case_entries WHERE case_id = $1 AND body = 'and a program'`, [id])).length, 0, 'refused whole: no message without its file');
  });

  it('the form may be framed by other sites (and inserted by /contact.js); the portal never; what customers write is shown as text', async () => {
    const contact = await fetch(`${k.baseUrl}/contact`);
    assert.match(contact.headers.get('content-security-policy')!, /frame-ancestors \*/);
    assert.match(contact.headers.get('content-security-policy')!, /script-src 'self';/, 'no script on the page');
    assert.equal(contact.headers.get('x-frame-options'), null);
    const portal = await fetch(`${k.baseUrl}/portal`);
    assert.match(portal.headers.get('content-security-policy')!, /frame-ancestors 'none'/);
    assert.equal(portal.headers.get('x-frame-options'), 'DENY');
    const snippet = await fetch(`${k.baseUrl}/contact.js`);
    assert.match(snippet.headers.get('content-type')!, /javascript/);
    assert.match(await snippet.text(), /createElement\('iframe'\)/);
    const id = caseIdOf((await contactForm(k.baseUrl, form('html', { message: '<img src=x onerror=alert(1)>hello' }))).text);
    const me = await signInAsCustomer(k, 'visitor-html@example.test');
    const page = await me.get(`/portal/cases/${id}`);
    assert.ok(page.text.includes('&lt;img src=x onerror=alert(1)&gt;hello'));
    assert.ok(!page.text.includes('<img src=x'));
  });

  it('a write without the page’s form token, or from another site, is refused and changes nothing', async () => {
    const id = caseIdOf((await contactForm(k.baseUrl, form('csrf'))).text);
    const me = await signInAsCustomer(k, 'visitor-csrf@example.test');
    const before = await k.sql('SELECT id FROM case_entries WHERE case_id = $1', [id]);
    assert.equal((await me.post(`/portal/cases/${id}/reply`, { body: 'forged' })).status, 403);
    assert.equal((await me.post(`/portal/cases/${id}/reply`, { body: 'forged', csrf: await me.csrf() }, { origin: 'https://evil.example' })).status, 403);
    assert.equal((await k.sql('SELECT id FROM case_entries WHERE case_id = $1', [id])).length, before.length);
  });

  it('the profile sets the form of address with first-name permission, language, channel and phones; a German customer sees German pages', async () => {
    await contactForm(k.baseUrl, form('profile', { name: 'Hans Weber' }));
    const me = await signInAsCustomer(k, 'visitor-profile@example.test');
    const saved = await me.post('/portal/profile', { csrf: await me.csrf(), title: 'Herr', givenName: 'Hans', familyName: 'Weber', language: 'de', preferredChannel: 'phone', phones: '+49 30 1234567' });
    assert.equal(saved.status, 303);
    const page = await me.get('/portal/profile');
    assert.match(page.text, /<html lang="de">/);
    assert.match(page.text, /Wir sprechen Sie an mit: <strong>Herr Weber<\/strong>/);
    assert.match((await me.get('/portal')).text, /Meine Vorgänge/);
    await me.post('/portal/profile', { csrf: await me.csrf(), title: 'Herr', givenName: 'Hans', familyName: 'Weber', language: 'de', preferredChannel: 'phone', phones: '+49 30 1234567', firstNameOk: '1' });
    assert.match((await me.get('/portal/profile')).text, /<strong>Hans<\/strong>/);
    const [c] = await k.sql<{ preferred_channel: string; language: string; first_name_ok: boolean }>(`SELECT preferred_channel, language, first_name_ok FROM customers WHERE name = 'Hans Weber'`);
    assert.deepEqual(c, { preferred_channel: 'phone', language: 'de', first_name_ok: true });
    assert.ok((await k.sql(`SELECT 1 FROM domain_events WHERE type = 'customer.updated'`)).length >= 1);
    const german = await contactForm(k.baseUrl, { ...form('de'), lang: 'de' });
    assert.match(german.text, /Ihre Vorgangsnummer/);
  });

  it('a survey waiting for the customer is answered in place, once', async () => {
    const admin = await k.signedIn('admin');
    const survey = (await admin.post('/surveys', { name: 'After', trigger: 'case_resolved', questions: [{ kind: 'nps' }] })).body;
    const id = caseIdOf((await contactForm(k.baseUrl, form('survey'))).text);
    const [{ customer_id }] = await k.sql<{ customer_id: string }>('SELECT customer_id FROM cases WHERE id = $1', [id]) as [{ customer_id: string }];
    const inv = await admin.post(`/surveys/${survey.id}/invitations`, { customerId: Number(customer_id), caseId: id });
    assert.equal(inv.status, 201, JSON.stringify(inv.body));
    const me = await signInAsCustomer(k, 'visitor-survey@example.test');
    assert.match((await me.get('/portal')).text, new RegExp(`/portal/surveys/${inv.body.id}`));
    const csrf = await me.csrf();
    assert.equal((await me.post(`/portal/surveys/${inv.body.id}`, { csrf, nps: '9', comment: 'Quick and kind' })).status, 200);
    const [r] = await k.sql<{ nps: number; completed: boolean }>('SELECT nps, completed_at IS NOT NULL AS completed FROM survey_responses');
    assert.deepEqual(r, { nps: 9, completed: true });
    assert.equal((await me.post(`/portal/surveys/${inv.body.id}`, { csrf, nps: '2' })).status, 404, 'answered: no longer waiting');
    assert.doesNotMatch((await me.get('/portal')).text, /\/portal\/surveys\//);
  });
});
