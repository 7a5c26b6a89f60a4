import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startKept, type TestKept } from '../helpers/app';
import { browserMissing, launch, screenshots } from '../helpers/browser';
import { beginDemoSeeding, finishDemoSeeding, recordDemoProgress } from '../../src/demo';
import { seedDemo } from '../../src/cli/seed';

const skip = browserMissing();

describe('the demo year loading in the background', { skip: skip ?? false, timeout: 240_000 }, () => {
  let k: TestKept;
  let browser: Browser;
  before(async () => {
    k = await startKept({ now: new Date().toISOString() });
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await k?.close();
  });

  it('the sign-in page and the workspace show how far the demo year is, and the banner goes when it is complete', async () => {
    // As `kept start --demo` does: marked first, then written while the server answers.
    const db = k.kept.db;
    await beginDemoSeeding(db);
    // The year of 150 cases is written in seconds: it is marked complete only once the checks made while it loads are done.
    let looked!: () => void;
    const lookedAround = new Promise<void>((resolve) => { looked = resolve; });
    const seeding = seedDemo(k.kept.ctx, { cases: 150, customers: 60, progress: (p) => recordDemoProgress(db, p) }).then(() => lookedAround).then(() => finishDemoSeeding(db));

    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(k.baseUrl);
    const banner = page.getByRole('status').filter({ hasText: 'Loading the demo year' });
    await banner.waitFor({ timeout: 20_000 });
    await screenshots(page, '60-demo-loading-sign-in');

    // Demo staff may sign in and look around while the year fills in...
    await page.getByLabel('Email').fill('demo.admin@northwind.example');
    await page.getByLabel('Password').fill('demo-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'My work' }).waitFor();
    // ...and the workspace says how far it is, in events of the year once they are being played.
    await page.getByRole('status').filter({ hasText: /Loading the demo year: \d+ %/ }).waitFor({ timeout: 60_000 });
    const status = (await k.anonymous().get('/demo/status')).body;
    assert.equal(status.seeding, true);
    // Writes wait for the year: made now they would sit among simulated months with today's date.
    const admin = k.anonymous();
    await admin.signIn('demo.admin@northwind.example', 'demo-password');
    const refused = await admin.post('/macros', { name: 'Thanks', body: 'Thank you' });
    assert.equal(refused.status, 503);
    await screenshots(page, '61-demo-loading-workspace');

    looked();
    await seeding;
    await page.getByRole('status').filter({ hasText: 'Loading the demo year' }).waitFor({ state: 'detached', timeout: 15_000 });
    assert.deepEqual((await k.anonymous().get('/demo/status')).body.seeding, false);
    await new Promise((r) => setTimeout(r, 1100)); // each instance asks whether a demo is loading at most once a second
    assert.equal((await admin.post('/macros', { name: 'Thanks', body: 'Thank you' })).status, 201);
  });
});
