import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startKept, type TestKept } from '../helpers/app';
import { browserMissing, launch, screenshots, signedInPage } from '../helpers/browser';

const skip = browserMissing();

describe('approvals and recoveries in the workspace', { skip: skip ?? false, timeout: 120_000 }, () => {
  let k: TestKept;
  let browser: Browser;
  const password = 'correct horse battery';
  before(async () => {
    k = await startKept({ now: new Date().toISOString() });
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await k?.close();
  });

  const page = (email: string) => signedInPage(browser, k.baseUrl, email, password);

  it('an approval request reaches the lead live, and a recovery shows in My work with time left', async () => {
    const admin = await k.signedIn('admin');
    const lead = await admin.post('/staff', { name: 'Lena Lead', email: 'lena@kept.test', role: 'lead', password });
    const team = (await admin.post('/teams', { name: 'Front Line', leadId: lead.body.id })).body;
    await admin.patch(`/staff/${lead.body.id}`, { teamId: team.id });
    await admin.post('/staff', { name: 'Ari Agent', email: 'ari@kept.test', role: 'agent', teamId: team.id, password });
    await admin.put('/authority-limits', { kind: 'refund', role: 'agent', amount: 50, currency: 'EUR' });
    const c = (await admin.post('/cases', { subject: 'Damaged table', channel: 'phone', customer: { name: 'Mo Farah' } })).body;

    const leadPage = await page('lena@kept.test');
    const agentPage = await page('ari@kept.test');
    const agentApi = k.anonymous();
    await agentApi.signIn('ari@kept.test', password);
    // the case is Ari's now (admin offered it, Ari accepted)
    const offer = (await admin.post(`/cases/${c.id}/handovers`, { toStaffId: (await agentApi.get('/auth/me')).body.id, note: 'yours' })).body;
    await agentApi.post(`/handovers/${offer.id}/accept`);

    // Ari asks for more than his authority through the workspace
    await agentPage.goto(`${k.baseUrl}/cases/${c.id}`);
    await agentPage.getByRole('tab', { name: /Goodwill/ }).click();
    await agentPage.getByLabel('Amount').fill('80');
    await agentPage.getByLabel('Why (the customer will not see this)').fill('Table arrived with a cracked top');
    await agentPage.getByRole('button', { name: 'Decide' }).click();
    await agentPage.getByText('Above your authority: sent to your lead for approval.').waitFor();

    // ...and it appears for Lena without a reload
    const approval = leadPage.getByRole('region', { name: /Approvals waiting for me/ });
    await approval.getByText('Table arrived with a cracked top').waitFor({ timeout: 10_000 });
    await screenshots(leadPage, '10-my-work-approval');
    await approval.getByRole('button', { name: 'Approve' }).click();
    await approval.waitFor({ state: 'detached' });

    // Ari flags an OOPS on the case: a recovery with a 24-hour clock in his My work
    await agentPage.getByRole('button', { name: 'This was our OOPS…' }).click();
    await agentPage.getByLabel('What went wrong').fill('We shipped the table without protective wrapping');
    await agentPage.getByRole('button', { name: 'Open a recovery' }).click();
    await agentPage.getByText('Apology: not yet').waitFor();
    await screenshots(agentPage, '11-case-recovery');
    await agentPage.getByRole('link', { name: 'My work' }).click();
    const clock = agentPage.getByRole('region', { name: /Recoveries on the clock/ });
    await clock.getByText('Damaged table').waitFor();
    assert.match(await clock.textContent() ?? '', /fix in 2[34] h/);
  });
});
