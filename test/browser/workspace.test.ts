import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startKept, type TestKept } from '../helpers/app';
import { browserMissing, launch, screenshots, signedInPage } from '../helpers/browser';

const skip = browserMissing();

describe('the staff workspace in a real browser', { skip: skip ?? false, timeout: 180_000 }, () => {
  let k: TestKept;
  let browser: Browser;
  let caseId: number;
  const password = 'correct horse battery';
  const people: Record<string, { email: string; id: number }> = {};

  before(async () => {
    k = await startKept({ now: new Date().toISOString() });
    const admin = await k.signedIn('admin', { name: 'Alex Admin' });
    const team = (await admin.post('/teams', { name: 'Front Line' })).body;
    for (const [key, name] of [['a', 'Aisha Khan'], ['b', 'Bruno Silva']] as const) {
      const email = `${key}@kept.test`;
      const s = await admin.post('/staff', { name, email, role: 'agent', teamId: team.id, password });
      people[key] = { email, id: s.body.id };
    }
    people.admin = { email: 'admin1@example.test', id: admin.id };
    await admin.post('/standards', { firstResponseMinutes: 240, resolutionMinutes: 960 });
    const customer = (await admin.post('/customers', { name: 'Ada Okafor', title: 'Mrs', givenName: 'Ada', familyName: 'Okafor', emails: ['ada@okafor.example'], preferredChannel: 'email', language: 'en', segment: 'vip', notes: 'Prefers email; works nights.' })).body;
    // Each opens their own case: nobody is made owner without saying yes.
    const as = async (who: string) => { const api = k.anonymous(); await api.signIn(people[who]!.email, password); return api; };
    const other = await (await as('b')).post('/cases', { subject: 'Earlier: invoice question', channel: 'phone', customerId: customer.id });
    assert.equal(other.status, 201);
    const c = await (await as('a')).post('/cases', { subject: 'Sofa arrived with a torn cushion', channel: 'email', type: 'complaint', customerId: customer.id, message: 'The cushion is torn. What now?' });
    caseId = c.body.id;
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await k?.close();
  });

  const signIn = (who: string) => signedInPage(browser, k.baseUrl, people[who]!.email, password);

  it('sign-in page is accessible', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(k.baseUrl);
    await page.getByRole('heading', { name: 'Sign in to Kept' }).waitFor();
    await screenshots(page, '01-sign-in');
    await page.getByLabel('Email').fill(people.a!.email);
    await page.getByLabel('Password').fill('wrong password!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('Email or password is not right').waitFor();
  });

  it('open a case from My work, be refused a wrong salutation, hand it over live, and see a promise in My work', async () => {
    const a = await signIn('a');
    await screenshots(a, '02-my-work');
    await a.getByRole('link', { name: /Sofa arrived with a torn cushion/ }).first().click();
    await a.getByRole('heading', { name: /Sofa arrived/ }).waitFor();
    assert.equal(await a.getByTestId('salutation').textContent(), 'Mrs Okafor');
    await a.getByText('Earlier: invoice question').waitFor(); // the customer's other case, other channel
    await screenshots(a, '03-case');

    // the composer pre-fills the form of address; a contradicting greeting is refused with a reason
    const reply = a.getByLabel('Reply to the customer');
    assert.match(await reply.inputValue(), /^Dear Mrs Okafor,/);
    await reply.fill('Dear Ada,\n\nSorry about the cushion.');
    await a.getByRole('button', { name: 'Send reply' }).click();
    const refusal = a.getByRole('alert');
    await refusal.waitFor();
    assert.match(await refusal.textContent() ?? '', /addressed as "Mrs Okafor"/);
    await reply.fill('Dear Mrs Okafor,\n\nSorry about the cushion. A new one is on its way.');
    await a.getByRole('button', { name: 'Send reply' }).click();
    await a.getByRole('status').getByText('Reply sent by email to ada@okafor.example.').waitFor();

    // B is on My work in another browser context
    const b = await signIn('b');
    // A offers the case to B with a context note (keyboard shortcut h opens the hand-over form)
    await a.keyboard.press('Escape');
    await a.evaluate(() => (globalThis as unknown as { document: { activeElement: { blur(): void } | null } }).document.activeElement?.blur());
    await a.keyboard.press('h');
    const picker = a.getByLabel('Offer to');
    await picker.selectOption(await picker.locator('option', { hasText: 'Bruno Silva' }).getAttribute('value'));
    await a.getByLabel('Context for the receiver (required)').fill('Mrs Okafor wants a new cushion; replacement ordered, needs delivery date.');
    await a.getByRole('button', { name: 'Offer hand-over' }).click();
    await a.getByText('Offer sent').waitFor();
    assert.match(await a.getByTestId('owner').textContent() ?? '', /Owned by Aisha Khan/);

    // ...and it arrives for B without a reload
    const offer = b.locator('.offer', { hasText: 'Sofa arrived with a torn cushion' });
    await offer.waitFor({ timeout: 10_000 });
    await screenshots(b, '04-my-work-with-offer');
    await offer.getByRole('button', { name: 'Accept' }).click();

    // A's case view changes to "owned by B" without a reload
    await a.getByTestId('owner').getByText('Owned by Bruno Silva').waitFor({ timeout: 10_000 });

    // B makes a promise and sees it in My work
    await b.getByRole('link', { name: /Sofa arrived with a torn cushion/ }).first().click();
    await b.getByRole('heading', { name: /Sofa arrived/ }).waitFor();
    await b.getByRole('tab', { name: /Promise/ }).click();
    await b.getByLabel('What you promise the customer').fill('I will confirm the delivery date by tomorrow noon');
    const due = new Date(Date.now() + 5 * 3_600_000); // the test server's clock stands still; keep well inside 24 h
    const local = new Date(due.getTime() - due.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await b.getByLabel('Due').fill(local);
    await b.getByRole('button', { name: 'Make promise' }).click();
    await b.getByRole('status').getByText('Promise recorded.').waitFor();
    await b.getByRole('link', { name: 'My work' }).click();
    await b.getByRole('region', { name: /My promises due in 24 hours/ }).getByText('I will confirm the delivery date by tomorrow noon').waitFor();
    assert.equal((await k.sql<{ owner_id: number }>('SELECT owner_id FROM cases WHERE id = $1', [caseId]))[0]!.owner_id, people.b!.id);
  });

  it('queues, customers, account and settings screens are accessible at both widths', async () => {
    const admin = await signedInPage(browser, k.baseUrl, people.admin!.email, password);
    await admin.getByRole('link', { name: 'Queues' }).click();
    await admin.getByText('Sofa arrived with a torn cushion').waitFor();
    await screenshots(admin, '05-queues');
    await admin.getByLabel('Search subject, customer or message text').fill('Okafor');
    await admin.getByRole('button', { name: 'Search' }).click();
    await admin.getByText('Earlier: invoice question').waitFor();
    await admin.getByRole('link', { name: 'Customers' }).click();
    await admin.getByRole('link', { name: 'Ada Okafor' }).click();
    await admin.getByRole('heading', { name: 'Ada Okafor' }).waitFor();
    await admin.getByText('Earlier: invoice question').waitFor();
    await screenshots(admin, '06-customer');
    // the form of address changes only when the customer allows it
    await admin.getByRole('button', { name: 'Edit profile' }).click();
    await admin.getByLabel('The customer is happy to be called by their first name').check();
    await admin.getByRole('button', { name: 'Save profile' }).click();
    await admin.getByTestId('salutation').getByText('Ada', { exact: true }).waitFor();
    await admin.getByRole('link', { name: 'Customers' }).click();
    await admin.getByRole('heading', { name: 'Customers' }).waitFor();
    await screenshots(admin, '07-customers');

    // a phone call from a new customer becomes a case owned by whoever took it
    await admin.getByRole('link', { name: 'New case' }).click();
    await admin.getByRole('heading', { name: 'New case' }).waitFor();
    await screenshots(admin, '07b-new-case');
    await admin.getByLabel('Title').fill('Mr');
    await admin.getByLabel('First name').fill('Piet');
    await admin.getByLabel('Surname').fill('Vance');
    await admin.getByRole('textbox', { name: 'Phone' }).fill('+31 20 555 0101');
    await admin.getByLabel('Subject').fill('Wants to move his delivery date');
    await admin.getByLabel('What the customer said').fill('Can the delivery move to next Friday?');
    await admin.getByRole('button', { name: /Open the case/ }).click();
    await admin.getByRole('heading', { name: /Wants to move his delivery date/ }).waitFor();
    assert.equal(await admin.getByTestId('salutation').textContent(), 'Mr Vance');
    assert.match(await admin.getByTestId('owner').textContent() ?? '', /Owned by Alex Admin/);
    await admin.getByRole('link', { name: 'Settings' }).click();
    await admin.getByRole('heading', { name: 'Organisation and business hours' }).waitFor();
    await admin.getByRole('navigation', { name: 'Settings pages' }).getByRole('link', { name: 'Service standards' }).click();
    await admin.getByRole('heading', { name: 'Service standards' }).waitFor();
    // standards are entered in hours and business days, and shown that way
    await admin.getByLabel('First response', { exact: true }).fill('4');
    await admin.getByLabel('Resolution', { exact: true }).fill('2');
    await admin.getByRole('button', { name: 'Add standard' }).click();
    await admin.getByRole('cell', { name: '2 business days' }).first().waitFor();
    await screenshots(admin, '08-settings');
    await admin.getByRole('link', { name: 'Alex Admin' }).click();
    await admin.getByRole('heading', { name: 'Account' }).waitFor();
    await screenshots(admin, '09-account');
  });
});
