import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startKept, type TestKept } from '../helpers/app';
import { startSink, type Sink } from '../helpers/mail';
import { browserMissing, launch, screenshots, signedInPage } from '../helpers/browser';
import { when } from '../../src/portal';

const skip = browserMissing();

describe('a visitor writes in, signs in by magic link, sees the promise, replies; the agent sees it', { skip: skip ?? false, timeout: 180_000 }, () => {
  let k: TestKept;
  let sink: Sink;
  let browser: Browser;
  before(async () => {
    sink = await startSink();
    k = await startKept({ now: new Date().toISOString(), mail: { transportUrl: `smtp://127.0.0.1:${sink.port}`, from: 'Acme <care@acme.test>' } });
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await k?.close();
    await sink?.close();
  });

  const mailTo = async (address: string, match: RegExp) => {
    for (let i = 0; i < 50; i++) {
      const m = sink.received.find((r) => r.envelopeTo.includes(address) && match.test(r.text ?? ''));
      if (m) return m;
      await k.runTimers();
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no mail to ${address} matching ${match}`);
  };

  it('form → expectation on screen and by email → magic link → promise and due time → reply → the agent sees it; German pages in German', async () => {
    const admin = await k.signedIn('admin');
    await admin.patch('/settings', { name: 'Acme', timeZone: 'Europe/Berlin' });
    await admin.post('/standards', { firstResponseMinutes: 240, resolutionMinutes: 2400 });
    await admin.post('/standards', { caseType: 'billing', firstResponseMinutes: 120, resolutionMinutes: 960 });
    const agent = await k.signedIn('agent', { name: 'Petra Schmidt' });

    const visitor = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    await visitor.goto(`${k.baseUrl}/contact`);
    await visitor.getByLabel('Your name').fill('Ada Okafor');
    await visitor.getByLabel('Email').fill('ada@okafor.example');
    await visitor.getByLabel('What is it about?').selectOption('billing');
    await visitor.getByLabel('Subject').fill('Charged twice for March');
    await visitor.getByLabel('Your message').fill('My card was charged twice for the March invoice.');
    await screenshots(visitor, 'portal-01-contact-form');
    await visitor.getByRole('button', { name: 'Send' }).click();
    await visitor.getByRole('heading', { name: 'We have your request' }).waitFor();
    const caseId = Number(/K-(\d+)/.exec(await visitor.getByRole('status').innerText())![1]);
    const [c] = await k.sql<{ first_response_due_at: Date }>('SELECT first_response_due_at FROM cases WHERE id = $1', [caseId]);
    await visitor.getByText(when('en', 'Europe/Berlin', c!.first_response_due_at)).waitFor();
    await screenshots(visitor, 'portal-02-expectation');
    const ack = await mailTo('ada@okafor.example', new RegExp(`K-${caseId}`));
    assert.ok(ack.text!.includes(when('en', 'Europe/Berlin', c!.first_response_due_at)), 'the same expectation by email');

    // The agent takes the case, makes a promise and replies.
    await agent.post(`/cases/${caseId}/take`);
    const due = new Date(Date.now() + 2 * 24 * 3_600_000);
    assert.equal((await agent.post(`/cases/${caseId}/commitments`, { text: 'I will refund the second charge', dueAt: due.toISOString() })).status, 201);
    await agent.post(`/cases/${caseId}/replies`, { body: 'Dear Ada Okafor,\n\nI see the double charge and will refund it.' });

    // The customer asks for a link and signs in with it.
    await visitor.goto(`${k.baseUrl}/portal`);
    await visitor.getByLabel('Email').fill('ada@okafor.example');
    await screenshots(visitor, 'portal-03-sign-in');
    await visitor.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await visitor.getByRole('heading', { name: 'Check your email' }).waitFor();
    const linkMail = await mailTo('ada@okafor.example', /\/portal\/sign-in\//);
    const link = new URL(/(http\S+\/portal\/sign-in\/\S+)/.exec(linkMail.text!)![1]!);
    await visitor.goto(`${k.baseUrl}${link.pathname}`);
    await visitor.getByLabel('Remember this device for 30 days').check();
    await visitor.getByRole('button', { name: 'Sign in' }).click();
    await visitor.getByRole('heading', { name: 'My cases' }).waitFor();
    await visitor.getByText('Petra').first().waitFor();
    await screenshots(visitor, 'portal-04-my-cases');

    await visitor.getByRole('link', { name: /Charged twice for March/ }).click();
    await visitor.getByText('I will refund the second charge').waitFor();
    await visitor.getByText(`by ${when('en', 'Europe/Berlin', due)}`).waitFor();
    await visitor.getByText('I see the double charge and will refund it.').waitFor();
    await screenshots(visitor, 'portal-05-case-with-promise');

    // The agent has the case open; the reply arrives.
    const staff = await signedInPage(browser, k.baseUrl, 'agent2@example.test', 'correct horse battery');
    await staff.goto(`${k.baseUrl}/cases/${caseId}`);
    await staff.getByTestId('viewed-reply').waitFor();

    await visitor.getByLabel('Your reply').fill('Thank you, Petra. The second charge was 49.90.');
    await visitor.getByRole('button', { name: 'Send reply' }).click();
    await visitor.getByText('Your reply is with us.').waitFor();
    await screenshots(visitor, 'portal-06-replied');

    await waitForText(staff, 'The second charge was 49.90.', k);
    await screenshots(staff, 'portal-07-agent-sees-reply');

    // A German visitor gets German pages.
    const german = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'de-DE' })).newPage();
    await german.goto(`${k.baseUrl}/contact`);
    await german.getByRole('heading', { name: /Kontakt/ }).waitFor();
    await german.getByLabel('Ihr Name').fill('Hans Weber');
    await german.getByLabel('E-Mail').fill('hans@weber.example');
    await german.getByLabel('Betreff').fill('Lieferung fehlt');
    await german.getByLabel('Ihre Nachricht').fill('Meine Lieferung ist nicht angekommen.');
    await german.getByRole('button', { name: 'Senden' }).click();
    await german.getByRole('heading', { name: 'Wir haben Ihr Anliegen erhalten' }).waitFor();
    await german.getByText('Unsere erste Antwort erhalten Sie bis').waitFor();
    await screenshots(german, 'portal-08-german-expectation');
    await german.goto(`${k.baseUrl}/portal?lang=en`);
    await german.getByRole('heading', { name: 'Your portal: Acme' }).waitFor();
    await german.getByRole('link', { name: 'Deutsch' }).click();
    await german.getByRole('heading', { name: 'Ihr Kundenportal: Acme' }).waitFor();
    await german.getByLabel('E-Mail').fill('hans@weber.example');
    await german.getByRole('button', { name: 'Anmeldelink senden' }).click();
    const deMail = await mailTo('hans@weber.example', /\/portal\/sign-in\//);
    assert.match(deMail.text!, /Hier ist Ihr Link/);
    const deLink = new URL(/(http\S+\/portal\/sign-in\/\S+)/.exec(deMail.text!)![1]!);
    await german.goto(`${k.baseUrl}${deLink.pathname}`);
    await german.getByRole('button', { name: 'Anmelden' }).click();
    await german.getByRole('heading', { name: 'Meine Vorgänge' }).waitFor();
    await screenshots(german, 'portal-09-german-portal');
  });
});

async function waitForText(page: Page, text: string, k: TestKept) {
  for (let i = 0; i < 3; i++) {
    try {
      await page.getByText(text).first().waitFor({ timeout: 5_000 });
      console.log(i === 0 ? `"${text}" arrived live` : `"${text}" arrived after ${i} reload(s)`);
      return;
    } catch {
      await k.runTimers();
      await page.reload(); // live when the stream delivers; a reload otherwise
    }
  }
  await page.getByText(text).first().waitFor({ timeout: 5_000 });
}
