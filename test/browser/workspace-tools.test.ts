/**
 * The staff workspace's tools (issue 14, the rest): saved views kept on the server, bulk actions
 * checked case by case, macros corrected and deleted, dark mode, the bell on a phone, and files
 * attached to a reply kept across a reload. Each story as the user lives it, in real Chromium.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startKept, type TestKept } from '../helpers/app';
import type { Api } from '../helpers/api';
import { assertAccessible, assertIdle, browserMissing, launch, recordRequests, screenshots, signedInPage, SHOTS } from '../helpers/browser';

const skip = browserMissing();
// Runs in the page; typed loosely because this file compiles for Node.
interface PageGlobals { localStorage: { setItem(k: string, v: string): void; getItem(k: string): string | null }; matchMedia(q: string): { matches: boolean }; getComputedStyle(el: unknown): { color: string } }
const password = 'correct horse battery';

describe('the workspace\'s tools', { skip: skip ?? false, timeout: 300_000 }, () => {
  let k: TestKept;
  let browser: Browser;
  let admin: Api & { id: number };
  let teamId: number;
  let ada: number;
  const people: Record<string, { email: string; id: number; api: Api }> = {};

  before(async () => {
    k = await startKept({ now: new Date().toISOString() });
    admin = await k.signedIn('admin', { name: 'Alex Admin' });
    teamId = (await admin.post('/teams', { name: 'Front Line' })).body.id;
    for (const [key, name, role] of [['lena', 'Lena Lead', 'lead'], ['aisha', 'Aisha Khan', 'agent'], ['bruno', 'Bruno Silva', 'agent']] as const) {
      const email = `${key}@kept.test`;
      const s = await admin.post('/staff', { name, email, role, teamId, password });
      const api = k.anonymous();
      await api.signIn(email, password);
      people[key] = { email, id: s.body.id, api };
    }
    await admin.patch(`/teams/${teamId}`, { leadId: people.lena!.id });
    ada = (await admin.post('/customers', { name: 'Ada Okafor', title: 'Mrs', givenName: 'Ada', familyName: 'Okafor', emails: ['ada@okafor.example'], preferredChannel: 'email', language: 'en' })).body.id;
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await k?.close();
  });

  const signIn = (who: string, viewport?: { width: number; height: number }) => signedInPage(browser, k.baseUrl, people[who]!.email, password, viewport);
  const openCase = async (who: string, subject: string, extra: object = {}) =>
    (await people[who]!.api.post('/cases', { subject, channel: 'email', customerId: ada, ...extra })).body as { id: number };

  it('a view saved in one browser is there, with its count, in another; a lead shares one with the team; views kept in the browser move to the server', async () => {
    for (const s of ['Recall: kettle lid', 'Recall: kettle base', 'Recall: kettle cable']) await openCase('aisha', s, { tags: ['recall'] });
    const page = await signIn('aisha');
    // an earlier version kept views in the browser: they move to the server on the first visit
    await page.evaluate(() => (globalThis as unknown as PageGlobals).localStorage.setItem('kept.savedViews', JSON.stringify([{ name: 'Old urgent', filters: { view: 'open', team: '', tag: '', priority: 'urgent', channel: '', touchpoint: '', search: '' } }])));
    await page.getByRole('link', { name: 'Queues' }).click();
    const views = page.getByRole('navigation', { name: 'Views' });
    await views.getByRole('button', { name: /^Old urgent 0$/ }).waitFor();
    await page.getByLabel('Tag').fill('recall');
    await page.getByLabel('Save these filters as a view').fill('Kettle recall');
    await page.getByRole('button', { name: 'Save view' }).click();
    await views.getByRole('button', { name: /^Kettle recall 3$/ }).waitFor();
    assert.equal(await page.evaluate(() => (globalThis as unknown as PageGlobals).localStorage.getItem('kept.savedViews')), null, 'nothing left in the browser');
    await screenshots(page, '40-queues-saved-views');
    await assertIdle(page, 'Queues with saved views');

    // another browser (a fresh context): the same views, from the server; opening one makes one list request
    const elsewhere = await signIn('aisha');
    await elsewhere.getByRole('link', { name: 'Queues' }).click();
    const there = elsewhere.getByRole('navigation', { name: 'Views' });
    await there.getByRole('button', { name: /^Kettle recall 3$/ }).waitFor();
    await elsewhere.getByRole('table').waitFor();
    const requests = recordRequests(elsewhere);
    await there.getByRole('button', { name: /^Kettle recall 3$/ }).click();
    await elsewhere.getByRole('link', { name: /Recall: kettle cable/ }).waitFor();
    await assertIdle(elsewhere, 'a saved view', 2_000, 0);
    requests.stop();
    assert.equal(requests.urls.filter((u) => u.startsWith('/api/v1/cases?')).length, 1, requests.urls.join(', '));

    // the lead shares a view with the team; a member sees and opens it, and cannot remove it
    const lead = await signIn('lena');
    await lead.getByRole('link', { name: 'Queues' }).click();
    await lead.getByLabel('Tag').fill('recall');
    await lead.getByLabel('Save these filters as a view').fill('Team recall');
    await lead.getByLabel('share with my team').check();
    await lead.getByRole('button', { name: 'Save view' }).click();
    await lead.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: /^Team recall \(team\) 3$/ }).waitFor();
    const bruno = await signIn('bruno');
    await bruno.getByRole('link', { name: 'Queues' }).click();
    const his = bruno.getByRole('navigation', { name: 'Views' });
    await his.getByRole('button', { name: /^Team recall \(team\) 3$/ }).waitFor();
    assert.equal(await his.getByRole('button', { name: /Kettle recall/ }).count(), 0, 'Aisha\'s own view is hers alone');
    assert.equal(await his.getByRole('button', { name: 'Remove the view Team recall' }).count(), 0, 'a member cannot remove the team\'s view');
    await his.getByRole('button', { name: /^Team recall \(team\) 3$/ }).click();
    await bruno.getByRole('link', { name: /Recall: kettle lid/ }).waitFor();
    await screenshots(bruno, '41-queues-team-view-member');
  });

  it('picked by keyboard, cases are offered to a colleague in bulk: offers wait for acceptance, the case not mine to hand on is refused with the reason', async () => {
    const mine1 = await openCase('aisha', 'Bulk: toaster crumbs tray');
    const mine2 = await openCase('aisha', 'Bulk: toaster dial');
    const brunos = await openCase('bruno', 'Bulk: Bruno\'s blender');
    await k.sql('UPDATE cases SET tags = ARRAY[\'bulk\'] WHERE id = ANY($1)', [[mine1.id, mine2.id, brunos.id]]);
    const page = await signIn('aisha', { width: 390, height: 844 });
    await page.goto(`${k.baseUrl}/queues?tag=bulk&view=all`);
    await page.getByRole('link', { name: /Bruno's blender/ }).waitFor();
    // keyboard only: Tab to the checkbox "Select all", Space
    await page.getByLabel('Select all 3 listed cases').focus();
    await page.keyboard.press('Space');
    const bulk = page.getByRole('region', { name: 'Bulk actions' });
    await bulk.getByText('3 selected').waitFor();
    await bulk.getByLabel('Action').selectOption('offer');
    const picker = bulk.getByRole('combobox', { name: /^Offer to/ });
    await picker.locator('option', { hasText: 'Lena Lead' }).waitFor({ state: 'attached' });
    await picker.selectOption(await picker.locator('option', { hasText: 'Lena Lead' }).getAttribute('value'));
    await bulk.getByLabel('Context for the receiver').fill('Toasters: I am away next week');
    await bulk.getByRole('button', { name: 'Apply to 3' }).click();
    const results = bulk.getByRole('status');
    await results.getByText('2 done, 1 not done.').waitFor();
    await results.getByText(new RegExp(`#${mine1.id} .*: offered \\(waiting for the receiver to accept\\)`)).waitFor();
    await results.getByText(new RegExp(`#${brunos.id} .*: not done — `)).waitFor();
    await screenshots(page, '42-queues-bulk-offer');
    const owners = await k.sql<{ owner_id: number }>('SELECT owner_id FROM cases WHERE id = ANY($1)', [[mine1.id, mine2.id]]);
    assert.ok(owners.every((o) => o.owner_id === people.aisha!.id), 'an offer does not assign: Aisha owns them until Lena accepts');
    // Escape clears the selection
    await bulk.getByRole('button', { name: 'Clear selection' }).focus();
    await page.keyboard.press('Escape');
    await bulk.waitFor({ state: 'detached' });
    // the receiver sees the offers waiting for her on My work
    const lena = await signIn('lena');
    await lena.getByText(/Bulk: toaster dial/).first().waitFor();
  });

  it('a macro is corrected and then deleted by its owner on the Macros page, and a colleague cannot touch it', async () => {
    await people.aisha!.api.post('/macros', { name: 'Parcel delayed', body: 'Your parcel is delayed, {{salutation}}.' });
    await people.lena!.api.post('/macros', { name: 'Team sign-off', body: 'Kind regards, the Front Line', teamId });
    const page = await signIn('aisha');
    await page.getByRole('link', { name: 'Aisha Khan' }).click();
    await page.getByRole('link', { name: /Macros/ }).click();
    const list = page.getByRole('list', { name: 'Macros' });
    await list.getByRole('heading', { name: 'Parcel delayed' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Edit Team sign-off' }).count(), 0, 'a team macro is the lead\'s to change');
    await page.getByRole('button', { name: 'Edit Parcel delayed' }).click();
    await page.getByLabel('Text').fill('We are sorry: your parcel is delayed, {{salutation}}. New date: {{expected}}.');
    await screenshots(page, '43-macros-edit');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await list.getByText('New date: {{expected}}.').waitFor();
    await page.getByRole('button', { name: 'Delete Parcel delayed' }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await list.getByRole('heading', { name: 'Parcel delayed' }).waitFor({ state: 'detached' });
    await assertIdle(page, 'the Macros page');
    // the lead edits the team's macro
    const lead = await signIn('lena');
    await lead.goto(`${k.baseUrl}/macros`);
    await lead.getByRole('button', { name: 'Edit Team sign-off' }).click();
    await lead.getByLabel('Name').fill('Front Line sign-off');
    await lead.getByRole('button', { name: 'Save changes' }).click();
    await lead.getByRole('heading', { name: /Front Line sign-off/ }).waitFor();
  });

  it('the bell on a phone fits the screen, closes with its button or Escape, and gives the focus back to the bell', async () => {
    const c = await openCase('aisha', 'Bell: offered to Bruno');
    await people.aisha!.api.post(`/cases/${c.id}/handovers`, { toStaffId: people.bruno!.id, note: 'Yours if you want it' });
    const page = await signIn('bruno', { width: 390, height: 844 });
    const bell = page.getByRole('button', { name: /Notifications/ });
    await page.getByTestId('unread').waitFor();
    await bell.click();
    const panel = page.getByRole('region', { name: 'Notifications' });
    await panel.getByRole('link', { name: /offers you case/ }).first().waitFor();
    await panel.and(page.locator(':focus')).waitFor();
    const box = (await panel.boundingBox())!;
    assert.ok(box.x >= 0 && box.x + box.width <= 390 && box.y + box.height <= 844, `inside the screen: ${JSON.stringify(box)}`);
    // the opt-in for browser notifications is readable on the panel (it once took the top bar's white)
    const optIn = panel.getByRole('button', { name: 'Show browser notifications for new alerts' });
    if (await optIn.count()) assert.notEqual(await optIn.evaluate((el) => (globalThis as unknown as PageGlobals).getComputedStyle(el).color), 'rgb(255, 255, 255)');
    await page.screenshot({ path: `${SHOTS}/44-bell-phone-390.png` });
    await assertAccessible(page, 'the bell open at 390px');
    await panel.getByRole('button', { name: 'Close notifications' }).click();
    await panel.waitFor({ state: 'detached' });
    await bell.and(page.locator(':focus')).waitFor();
    await bell.click();
    await panel.waitFor();
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
    await bell.and(page.locator(':focus')).waitFor();
    await bell.click();
    await screenshots(page, '45-bell-open');
  });

  it('files attached to a reply are still there, with the draft, after a reload, and go with the reply', async () => {
    const c = await openCase('aisha', 'Attachments: invoice copy');
    const page = await signIn('aisha');
    await page.goto(`${k.baseUrl}/cases/${c.id}`);
    await page.getByLabel('Reply to the customer').fill('Dear Mrs Okafor,\n\nHere is the copy.');
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
    await page.getByLabel('Attach files').setInputFiles([{ name: 'invoice-copy.png', mimeType: 'image/png', buffer: png }]);
    const attached = page.getByRole('list', { name: 'Attached files' });
    await attached.getByText('invoice-copy.png').waitFor();
    page.once('dialog', (d) => void d.accept());
    await page.reload();
    await attached.getByText('invoice-copy.png').waitFor();
    assert.equal(await page.getByLabel('Reply to the customer').inputValue(), 'Dear Mrs Okafor,\n\nHere is the copy.');
    await screenshots(page, '46-case-attachment-after-reload');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.getByRole('status').getByText('Reply sent by email to ada@okafor.example.').waitFor();
    await page.getByRole('link', { name: 'invoice-copy.png' }).waitFor();
    assert.equal(await page.getByRole('list', { name: 'Attached files' }).count(), 0, 'the list empties once sent');
  });

  it('in dark mode every workspace screen is axe-clean (contrast included)', async () => {
    const c = await openCase('aisha', 'Dark: lamp flickers', { priority: 'urgent' });
    await people.aisha!.api.post('/macros', { name: 'Dark macro', body: 'Hello {{salutation}}' });
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' });
    const page: Page = await ctx.newPage();
    await page.goto(k.baseUrl);
    await page.getByLabel('Email').fill(people.lena!.email);
    await assertAccessible(page, 'sign-in, dark');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'My work' }).waitFor();
    assert.equal(await page.evaluate(() => (globalThis as unknown as PageGlobals).matchMedia('(prefers-color-scheme: dark)').matches), true);
    await screenshots(page, '47-dark-my-work');
    await page.goto(`${k.baseUrl}/cases/${c.id}`);
    await page.getByRole('button', { name: 'Send reply' }).waitFor();
    await screenshots(page, '48-dark-case');
    await page.goto(`${k.baseUrl}/queues`);
    await page.getByRole('table').waitFor();
    await page.getByLabel(`Select case #${c.id}`).check();
    await screenshots(page, '49-dark-queues-bulk');
    await page.goto(`${k.baseUrl}/dashboard`);
    await page.getByRole('region', { name: 'Backlog', exact: true }).locator('.headline').waitFor();
    await screenshots(page, '50-dark-dashboard');
    await page.goto(`${k.baseUrl}/macros`);
    await page.getByRole('list', { name: 'Macros' }).waitFor();
    await screenshots(page, '51-dark-macros');
    await page.getByRole('button', { name: /Notifications/ }).click();
    await page.getByRole('region', { name: 'Notifications' }).waitFor();
    await screenshots(page, '52-dark-bell');
    await ctx.close();
  });
});
