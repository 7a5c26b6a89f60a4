import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startKept, type TestKept } from '../helpers/app';
import { assertAccessible, browserMissing, launch, screenshots, signedInPage } from '../helpers/browser';

const skip = browserMissing();

describe('data rights in a real browser', { skip: skip ?? false, timeout: 180_000 }, () => {
  let k: TestKept;
  let browser: Browser;
  let customerId: number;

  before(async () => {
    k = await startKept({ now: new Date().toISOString() });
    const manager = await k.signedIn('manager', { name: 'Mia Manager' });
    const c = await manager.post('/cases', { subject: 'Lamp arrived broken', channel: 'phone', customer: { name: 'Ada Okafor', emails: ['ada@okafor.example'] } });
    customerId = c.body.customerId;
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await k?.close();
  });

  it('a manager downloads a customer\'s data and erases them on request', async () => {
    const page = await signedInPage(browser, k.baseUrl, 'manager1@example.test', 'correct horse battery');
    await page.goto(`${k.baseUrl}/customers/${customerId}`);
    const section = page.getByRole('region', { name: /^Data rights/ });
    await section.waitFor();
    const link = section.getByRole('link', { name: /Download everything/ });
    const download = await Promise.all([page.waitForEvent('download'), link.click()]).then(([d]) => d);
    assert.match(download.suggestedFilename(), new RegExp(`customer-${customerId}-export\\.tar`));
    await assertAccessible(page, 'customer data rights');
    await screenshots(page, 'customer-data-rights');
    await section.getByLabel(/^Why/).fill('Asked by phone to be forgotten');
    await section.getByRole('button', { name: 'Erase this customer' }).isDisabled();
    await section.getByLabel(/I understand/).check();
    await section.getByRole('button', { name: 'Erase this customer' }).click();
    await page.getByRole('heading', { name: '[erased]' }).waitFor();
    await section.getByText(/was erased on request/).waitFor();
    await screenshots(page, 'customer-erased');
  });
});
