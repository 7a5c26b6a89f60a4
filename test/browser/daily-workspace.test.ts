/**
 * The staff workspace as a daily tool (issue 14): each story is what a team lead tried and
 * found broken, told as the user lives it, in real Chromium against a real Kept.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startKept, type TestKept } from '../helpers/app';
import type { Api } from '../helpers/api';
import { assertIdle, browserMissing, launch, recordRequests, screenshots, signedInPage } from '../helpers/browser';

const skip = browserMissing();
const password = 'correct horse battery';
const MIN = 60_000;

describe('the workspace as a daily tool', { skip: skip ?? false, timeout: 300_000 }, () => {
  let k: TestKept;
  let browser: Browser;
  let admin: Api & { id: number };
  let teamId: number;
  const people: Record<string, { email: string; id: number; api: Api }> = {};
  let ada: number;
  let hans: number;

  before(async () => {
    k = await startKept({ now: new Date().toISOString() });
    admin = await k.signedIn('admin', { name: 'Alex Admin' });
    teamId = (await admin.post('/teams', { name: 'Front Line' })).body.id;
    for (const [key, name] of [['a', 'Aisha Khan'], ['b', 'Bruno Silva']] as const) {
      const email = `${key}@kept.test`;
      const s = await admin.post('/staff', { name, email, role: 'agent', teamId, password });
      const api = k.anonymous();
      await api.signIn(email, password);
      people[key] = { email, id: s.body.id, api };
    }
    ada = (await admin.post('/customers', { name: 'Ada Okafor', title: 'Mrs', givenName: 'Ada', familyName: 'Okafor', emails: ['ada@okafor.example'], preferredChannel: 'email', language: 'en' })).body.id;
    hans = (await admin.post('/customers', { name: 'Hans Becker', title: 'Mr', givenName: 'Hans', familyName: 'Becker', phones: ['+49 30 1234567'], preferredChannel: 'phone', language: 'de' })).body.id;
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await k?.close();
  });

  const signIn = (who: string) => signedInPage(browser, k.baseUrl, people[who]!.email, password);
  const openCase = async (who: string, subject: string, customerId: number, channel = 'email', extra: object = {}) =>
    (await people[who]!.api.post('/cases', { subject, channel, customerId, ...extra })).body as { id: number };
  const dueIn = (id: number, ms: number) => k.sql('UPDATE cases SET resolution_due_at = $2 WHERE id = $1', [id, new Date(Date.now() + ms)]);

  it('the at-risk view lists the case due in 90 minutes and makes one request', async () => {
    const soon = await openCase('a', 'Fridge stopped cooling', ada);
    const later = await openCase('a', 'Question about a voucher', ada);
    await dueIn(soon.id, 90 * MIN);
    await dueIn(later.id, 5 * 60 * MIN);
    const page = await signedInPage(browser, k.baseUrl, 'admin1@example.test', password);
    await page.getByRole('link', { name: 'Queues' }).click();
    await page.getByRole('link', { name: /Question about a voucher/ }).waitFor();
    const requests = recordRequests(page);
    await page.getByLabel('Show').selectOption({ label: 'At risk (due within 2 h)' });
    await page.getByRole('link', { name: /Fridge stopped cooling/ }).waitFor();
    await assertIdle(page, 'the at-risk view', 3_000, 0);
    requests.stop();
    const lists = requests.urls.filter((u) => u.startsWith('/api/v1/cases?'));
    assert.equal(lists.length, 1, `one list request, not ${lists.length}: ${lists.join(', ')}`);
    assert.match(lists[0]!, /dueBefore=/);
    assert.equal(await page.getByRole('link', { name: /Question about a voucher/ }).count(), 0, 'the case due in 5 hours is not at risk');
    await screenshots(page, '20-queues-at-risk');
  });

  it('a draft survives switching to a note and back, leaving the case and a reload', async () => {
    const c = await openCase('a', 'Wardrobe door hinge missing', ada);
    const page = await signIn('a');
    await page.goto(`${k.baseUrl}/cases/${c.id}`);
    const reply = page.getByLabel('Reply to the customer');
    await reply.fill('Dear Mrs Okafor,\n\nThe hinge is on its way; I will');
    await page.getByRole('tab', { name: /Internal note/ }).click();
    await page.getByLabel('Internal note (not sent)').fill('Check the supplier batch');
    await page.getByRole('tab', { name: /Reply/ }).click();
    assert.equal(await reply.inputValue(), 'Dear Mrs Okafor,\n\nThe hinge is on its way; I will');
    await page.getByText('Unsent text kept in: Internal note').waitFor();
    await page.getByRole('link', { name: 'My work' }).click();
    await page.getByRole('status').filter({ hasText: 'Unsent text kept on case' }).getByRole('link', { name: `#${c.id}` }).waitFor();
    await screenshots(page, '21-my-work-drafts-notice');
    await page.goto(`${k.baseUrl}/cases/${c.id}`);
    await page.reload();
    assert.equal(await page.getByLabel('Reply to the customer').inputValue(), 'Dear Mrs Okafor,\n\nThe hinge is on its way; I will');
    await page.getByRole('tab', { name: /Internal note/ }).click();
    assert.equal(await page.getByLabel('Internal note (not sent)').inputValue(), 'Check the supplier batch');
    // reloading with unsent text asks first
    let asked = false;
    page.once('dialog', (d) => { asked = d.type() === 'beforeunload'; void d.accept(); });
    await page.getByLabel('Internal note (not sent)').click(); // a user gesture: Chromium asks only after one
    await page.reload();
    assert.ok(asked, 'leaving with unsent text asks first');
    await page.getByRole('button', { name: 'Send reply' }).waitFor();
  });

  it('a reply to a web-form customer who prefers phone says before and after that it will not reach them; the greeting is in German', async () => {
    const c = await openCase('a', 'Lieferung beschädigt', hans, 'web');
    const page = await signIn('a');
    await page.goto(`${k.baseUrl}/cases/${c.id}`);
    await page.getByTestId('reply-route').getByText('Will not reach the customer').waitFor();
    assert.match(await page.getByLabel('Reply to the customer').inputValue(), /^Sehr geehrter Herr Becker,\n\n/);
    await page.getByLabel('Reply to the customer').fill('Sehr geehrter Herr Becker,\n\nwir schicken Ihnen ein neues Teil.');
    await screenshots(page, '22-case-reply-not-reaching');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.getByRole('status').getByText(/NOT sent to the customer/).waitFor();
    // an email customer's reply says where it went
    const e = await openCase('a', 'Invoice address wrong', ada);
    await page.goto(`${k.baseUrl}/cases/${e.id}`);
    await page.getByTestId('reply-route').getByText('ada@okafor.example').waitFor();
    await page.getByLabel('Reply to the customer').fill('Dear Mr. Okafor,\n\nsorry.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.getByRole('alert').getByText(/Mrs Okafor/).waitFor(); // the wrong title is still refused
    await page.getByLabel('Reply to the customer').fill('Dear Mrs. Okafor,\n\nThe invoice is **corrected**; both are attached.');
    // files go with the reply: each is uploaded when chosen, listed, and may be removed before sending
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
    await page.getByLabel('Attach files').setInputFiles([{ name: 'invoice-corrected.png', mimeType: 'image/png', buffer: png }, { name: 'wrong-one.png', mimeType: 'image/png', buffer: png }]);
    const attached = page.getByRole('list', { name: 'Attached files' });
    await attached.getByText('wrong-one.png').waitFor();
    await page.getByRole('button', { name: 'Remove wrong-one.png' }).click();
    await attached.getByText('wrong-one.png').waitFor({ state: 'detached' });
    await screenshots(page, '22b-case-reply-with-attachment');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.getByRole('status').getByText('Reply sent by email to ada@okafor.example.').waitFor();
    await page.getByRole('link', { name: 'invoice-corrected.png' }).waitFor(); // the timeline shows the file sent
    assert.equal(await page.getByRole('link', { name: 'wrong-one.png' }).count(), 0);
  });

  it('an offer opens on the case with Accept, the picker shows team, availability and load, and the promises follow the new owner', async () => {
    const c = await openCase('a', 'Sofa leg broken in transit', ada);
    const promise = await people.a!.api.post(`/cases/${c.id}/commitments`, { text: 'Call Mrs Okafor back about the new leg', dueAt: new Date(Date.now() + 5 * 60 * MIN).toISOString() });
    assert.equal(promise.status, 201, JSON.stringify(promise.body));
    await people.b!.api.put('/staff/me/availability', { available: true });
    const a = await signIn('a');
    await a.goto(`${k.baseUrl}/cases/${c.id}`);
    await a.getByRole('heading', { name: /Sofa leg broken/ }).waitFor();
    await a.keyboard.press('h');
    const picker = a.getByLabel('Offer to');
    await picker.locator('optgroup[label="Front Line"] option', { hasText: /Bruno Silva — available, \d+ open/ }).waitFor({ state: 'attached' });
    await picker.selectOption(await picker.locator('option', { hasText: 'Bruno Silva' }).getAttribute('value'));
    await a.getByLabel('Context for the receiver (required)').fill('Leg ordered; she wants a call when it ships.');
    await a.getByRole('button', { name: 'Offer hand-over' }).click();
    await a.getByText('Offer sent').waitFor();
    await a.getByText(/Hand-over offered by Aisha Khan to Bruno Silva/).waitFor();

    const b = await signIn('b');
    // the bell says so, and its alert opens the case with the offer to answer
    await b.getByTestId('unread').waitFor();
    assert.match(await b.title(), /^\(\d+\) Kept$/);
    await b.getByRole('button', { name: /Notifications/ }).click();
    await screenshots(b, '23-bell-open');
    await b.getByRole('region', { name: 'Notifications' }).getByRole('link', { name: /offers you case/ }).first().click();
    const offer = b.getByRole('list', { name: 'Hand-over offered to you' });
    await offer.getByText('Leg ordered; she wants a call when it ships.').waitFor();
    await screenshots(b, '24-case-offer-to-me');
    await offer.getByRole('button', { name: 'Accept' }).click();
    await b.getByTestId('owner').getByText('Owned by Bruno Silva').waitFor();
    // subscribers (on a running server: at once, woken by the event): the promise follows the case; the offer's alert is settled
    for (let i = 0; i < 20; i++) {
      await k.runTimers();
      const [row] = await k.sql<{ owner_id: number }>('SELECT owner_id FROM commitments WHERE id = $1', [promise.body.id]);
      if (row!.owner_id === people.b!.id) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await b.getByRole('link', { name: 'My work' }).click();
    await b.getByRole('region', { name: /My promises due in 24 hours/ }).getByText('Call Mrs Okafor back about the new leg').waitFor();
    const unread = await k.sql<{ n: string }>("SELECT count(*) AS n FROM notifications WHERE staff_id = $1 AND kind = 'handover_offered' AND read_at IS NULL", [people.b!.id]);
    assert.equal(Number(unread[0]!.n), 0, 'a settled offer is no longer an unread alert');
  });

  it('keys: p focuses the promise text, Escape leaves the field, ? lists the keys, j and k move between my cases', async () => {
    const page = await signIn('a');
    await page.getByRole('link', { name: /Wardrobe door hinge/ }).first().click();
    await page.getByRole('heading', { name: /Wardrobe door hinge/ }).waitFor();
    await page.keyboard.press('Escape');
    await page.locator('body').click({ position: { x: 5, y: 200 } });
    await page.keyboard.press('p');
    await page.getByLabel('What you promise the customer').and(page.locator(':focus')).waitFor();
    await page.keyboard.press('Escape');
    assert.equal(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { tagName: string } } }).document.activeElement.tagName), 'BODY');
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await screenshots(page, '25-case-keys');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor({ state: 'detached' });
    const first = page.url();
    await page.keyboard.press('j');
    await page.waitForURL((u) => u.toString() !== first);
    await page.keyboard.press('k');
    await page.waitForURL(first);
  });

  it('My work puts a late case above a high-priority one with no due time, shows alert times readably, and marks all read', async () => {
    const late = await openCase('a', 'Late: refund not arrived', ada);
    await dueIn(late.id, -24 * 60 * MIN);
    await openCase('a', 'High but no due time', ada, 'email', { priority: 'high' });
    await k.sql("INSERT INTO notifications (staff_id, kind, message, case_id, created_at) VALUES ($1, 'commitment_due_soon', $2, $3, now())",
      [people.a!.id, `Promise due ${new Date(Date.now() + 60 * MIN).toISOString()}: call back`, late.id]);
    const page = await signIn('a');
    const rows = page.getByRole('region', { name: /Cases I own/ }).getByRole('row');
    await rows.filter({ hasText: 'Late: refund not arrived' }).waitFor();
    const order = await rows.allTextContents();
    const at = (s: string) => order.findIndex((r) => r.includes(s));
    assert.ok(at('Late: refund not arrived') < at('High but no due time'), `late first: ${order.join(' | ')}`);
    const alerts = page.getByRole('region', { name: /New for me/ });
    await alerts.getByRole('link', { name: /Promise due .*: call back/ }).waitFor();
    assert.doesNotMatch(await alerts.textContent() ?? '', /\d{4}-\d\d-\d\dT/, 'no raw ISO times');
    // the badge counts what My work says needs attention
    const badge = await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /My work/ }).locator('.badge').textContent();
    assert.match(await page.getByTestId('attention').textContent() ?? '', new RegExp(`^${badge} need your attention`));
    await screenshots(page, '26-my-work');
    await assertIdle(page, 'My work');
    await alerts.getByRole('button', { name: 'Mark all read' }).click();
    await alerts.waitFor({ state: 'detached' });
    await page.getByTestId('unread').waitFor({ state: 'detached' });
    assert.equal(await page.title(), 'Kept');
  });

  it('a colleague viewing and typing on the case is shown live, and sending after their reply asks first', async () => {
    const c = await openCase('a', 'Mirror cracked', ada);
    const a = await signIn('a');
    await a.goto(`${k.baseUrl}/cases/${c.id}`);
    const lead = await signedInPage(browser, k.baseUrl, 'admin1@example.test', password);
    await lead.goto(`${k.baseUrl}/cases/${c.id}`);
    await a.getByTestId('presence').getByText('Alex Admin is viewing this case').waitFor({ timeout: 10_000 });
    await lead.getByLabel('Reply to the customer').fill('Dear Mrs Okafor,\n\nA new mirror is');
    await a.getByTestId('presence').getByText('Alex Admin is typing a reply').waitFor({ timeout: 10_000 });
    await screenshots(a, '27-case-presence');
    await a.getByLabel('Reply to the customer').fill('Dear Mrs Okafor,\n\nWe are sorry about the mirror.');
    await lead.getByLabel('Reply to the customer').fill('Dear Mrs Okafor,\n\nA new mirror is on its way.');
    await lead.getByRole('button', { name: 'Send reply' }).click();
    await lead.getByRole('status').getByText(/Reply sent/).waitFor();
    await a.getByText('A new mirror is on its way.').waitFor({ timeout: 10_000 });
    await a.getByRole('button', { name: 'Send reply' }).click();
    await a.getByRole('alert').getByText(/Someone answered meanwhile/).waitFor();
    await a.getByRole('button', { name: 'Send anyway' }).click();
    await a.getByRole('status').getByText(/Reply sent/).waitFor();
  });

  it('the search box finds cases and customers from anywhere with the / key', async () => {
    const page = await signIn('b');
    await page.keyboard.press('/');
    await page.keyboard.type('Okafor');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Search: Okafor' }).waitFor();
    await page.getByRole('link', { name: 'Ada Okafor' }).waitFor();
    await page.getByRole('link', { name: /Mirror cracked/ }).waitFor();
    await screenshots(page, '28-search');
    await page.getByRole('link', { name: 'Ada Okafor' }).click();
    await page.getByRole('region', { name: /Survey answers/ }).waitFor();
    await screenshots(page, '29-customer-with-answers');
  });

  it('views show their counts, columns sort, and a bulk take reports each case: the unowned one taken, the colleague\'s refused', async () => {
    const free = (await admin.post('/cases', { subject: 'Unowned: chair wobbles', channel: 'email', customerId: ada, ownerId: null, teamId })).body as { id: number };
    const owned = await openCase('a', 'Owned by Aisha: lamp', ada);
    const page = await signIn('b');
    await page.getByRole('link', { name: 'Queues' }).click();
    const views = page.getByRole('navigation', { name: 'Views' });
    await views.getByRole('button', { name: /^Unowned \d+$/ }).waitFor();
    await screenshots(page, '30-queues-views');
    await page.getByRole('button', { name: /^Case/ }).click(); // sort by case number, ascending
    await page.getByRole('columnheader', { name: /Case ▲/ }).waitFor();
    await page.getByLabel(`Select case #${free.id}`).check();
    await page.getByLabel(`Select case #${owned.id}`).check();
    const bulk = page.getByRole('region', { name: 'Bulk actions' });
    await bulk.getByRole('button', { name: 'Apply to 2' }).click();
    const results = bulk.getByRole('status');
    await results.getByText(new RegExp(`#${free.id} .*: taken`)).waitFor();
    await results.getByText(new RegExp(`#${owned.id} .*: not done — .*hand-over`)).waitFor();
    await screenshots(page, '31-queues-bulk-results');
    assert.equal((await k.sql<{ owner_id: number }>('SELECT owner_id FROM cases WHERE id = $1', [owned.id]))[0]!.owner_id, people.a!.id);
  });

  it('the team lead\'s dashboard shows the backlog by age, volume by hour as charts, each person\'s load and hand-overs waiting, without polling', async () => {
    const page = await signedInPage(browser, k.baseUrl, 'admin1@example.test', password);
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('region', { name: 'Backlog', exact: true }).locator('.headline').waitFor();
    await page.getByRole('img', { name: /Open cases by age: under 1 day \d+/ }).locator('canvas').waitFor();
    await page.getByRole('img', { name: /Cases opened by hour of day/ }).locator('canvas').waitFor();
    await page.getByRole('region', { name: /Each person's load/ }).getByRole('cell', { name: 'Aisha Khan' }).waitFor();
    await screenshots(page, '32-dashboard');
    await assertIdle(page, 'the dashboard');
  });

  it('a personal macro goes in by keyboard with the customer\'s form of address and the case number filled in', async () => {
    const made = await people.a!.api.post('/macros', { name: 'Replacement sent', body: 'We have sent a replacement, {{salutation}}; your reference is {{case}}.' });
    assert.equal(made.status, 201);
    const c = await openCase('a', 'Cushion cover faded', ada);
    const page = await signIn('a');
    await page.goto(`${k.baseUrl}/cases/${c.id}`);
    await page.getByRole('heading', { name: /Cushion cover faded/ }).waitFor();
    await page.locator('body').click({ position: { x: 5, y: 200 } });
    await page.keyboard.press('m');
    const picker = page.getByLabel('Insert a macro');
    await picker.and(page.locator(':focus')).waitFor();
    await picker.selectOption({ label: 'Replacement sent' });
    assert.match(await page.getByLabel('Reply to the customer').inputValue(), new RegExp(`^Dear Mrs Okafor,\\n\\nWe have sent a replacement, Mrs Okafor; your reference is K-${c.id}\\.`));
    await screenshots(page, '33-case-macro');
  });
});
