import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { startKept, type TestKept } from '../helpers/app';
import { browserMissing, launch, screenshots, signedInPage, SHOTS } from '../helpers/browser';

const skip = browserMissing();

interface Received { headers: http.IncomingHttpHeaders; body: string }

/** A receiver on the loopback address that answers every request with 204 and keeps what it got. */
async function startReceiver() {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
    req.on('end', () => { received.push({ headers: req.headers, body }); res.writeHead(204).end(); });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/kept-events`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The Settings page is long: beside the full-page shots, the Webhooks section alone, at both widths. */
async function sectionShots(page: Page, section: Locator, name: string) {
  await screenshots(page, name);
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await section.screenshot({ path: path.join(SHOTS, `${name}-section-${width}.png`) });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

describe('webhook settings in a real browser', { skip: skip ?? false, timeout: 180_000 }, () => {
  let k: TestKept;
  let browser: Browser;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  before(async () => {
    k = await startKept({ now: new Date().toISOString() });
    await k.signedIn('admin', { name: 'Alex Admin' });
    receiver = await startReceiver();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await receiver?.close();
    await k?.close();
  });

  it('an admin adds an endpoint, sees its secret once, sends a test event and sees it delivered with 204', async () => {
    const page = await signedInPage(browser, k.baseUrl, 'admin1@example.test', 'correct horse battery');
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('navigation', { name: 'Settings pages' }).getByRole('link', { name: 'Webhooks' }).click();
    const section = page.getByRole('region', { name: /^Webhooks/ });
    await section.getByText('No endpoints yet').waitFor();
    await section.scrollIntoViewIfNeeded();

    // the event types come from the server's catalogue, grouped by what they are about
    await section.getByLabel('Only the types I choose').check();
    await section.getByRole('group', { name: 'handover' }).getByLabel('handover.offered').waitFor();
    assert.equal(await section.getByLabel('webhook.test').count(), 0, 'test pings are not a subscription choice');
    await section.getByLabel('case.opened').check();
    await section.getByLabel('case.resolved').check();
    await section.getByLabel('Endpoint URL').fill(receiver.url);
    await section.getByLabel('Description').fill('Data warehouse loader');
    await sectionShots(page, section, 'webhooks-01-add');
    await section.getByRole('button', { name: 'Add endpoint' }).click();

    // the secret is shown once, with a copy button and a warning
    const shown = section.getByRole('region', { name: /Signing secret for/ });
    await shown.getByText('it will not be shown again').waitFor();
    const secret = await shown.getByLabel('Signing secret').inputValue();
    assert.match(secret, /^whsec_/);
    await shown.getByRole('button', { name: 'Copy secret' }).waitFor();
    const hook = section.getByTestId('webhook');
    await hook.getByText('Events: case.opened, case.resolved').waitFor();
    await hook.getByText('On', { exact: true }).waitFor();
    await sectionShots(page, section, 'webhooks-02-secret');
    await shown.getByRole('button', { name: /I have stored it/ }).click();
    await page.reload();
    await hook.waitFor();
    assert.equal(await page.getByText(secret).count(), 0);
    assert.equal(await page.locator(`input[value="${secret}"]`).count(), 0, 'the secret is not shown a second time');

    // "Send test event" queues a webhook.test; the delivery goes out on the next beat
    await hook.getByRole('button', { name: /^Send test event/ }).click();
    await hook.getByRole('status').getByText('Test event queued').waitFor();
    const log = hook.getByRole('region', { name: /Delivery log of/ });
    await log.waitFor();
    for (let beat = 0; beat < 5 && !receiver.received.length; beat++) await k.runTimers();
    assert.equal(receiver.received.length, 1);

    await log.getByRole('button', { name: /^Refresh/ }).click();
    const row = log.getByTestId('delivery').filter({ hasText: 'webhook.test' });
    await row.getByText('delivered', { exact: true }).waitFor();
    await row.getByRole('cell', { name: '204', exact: true }).waitFor();
    await row.getByRole('button', { name: /^Redeliver/ }).waitFor();
    await hook.getByText('last response: 204').waitFor();
    await sectionShots(page, section, 'webhooks-03-delivered');

    // the receiver got the test, signed with the secret the screen showed
    const got = receiver.received[0]!;
    const payload = new Webhook(secret).verify(got.body, got.headers as Record<string, string>) as { type: string; data: { message: string } };
    assert.equal(payload.type, 'webhook.test');
    assert.match(payload.data.message, /A test from Alex Admin/);

    // switching off says so in words; deleting asks first
    await hook.getByRole('button', { name: /^Switch off/ }).click();
    await hook.getByText('Off', { exact: true }).waitFor();
    await hook.getByText(/Switched off: by an admin/).waitFor();
    await hook.getByRole('button', { name: /^Delete…/ }).click();
    await hook.getByRole('group', { name: /Confirm deleting/ }).getByRole('button', { name: /^Yes, delete/ }).click();
    await section.getByText('No endpoints yet').waitFor();
    assert.equal((await k.sql('SELECT id FROM webhooks')).length, 0);
  });
});
