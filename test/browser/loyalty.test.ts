import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startKept, type TestKept } from '../helpers/app';
import { browserMissing, launch, screenshots, signedInPage } from '../helpers/browser';

const skip = browserMissing();

describe('moments of truth, scorecards, stars and inputs in the workspace', { skip: skip ?? false, timeout: 180_000 }, () => {
  let k: TestKept;
  let browser: Browser;
  const password = 'correct horse battery';
  before(async () => {
    k = await startKept({ now: new Date().toISOString() });
    browser = await launch();
    const admin = await k.signedIn('admin');
    await admin.patch('/settings', { surveyCooldownDays: 0 });
    const logistics = (await admin.post('/departments', { name: 'Logistics' })).body.id;
    const finance = (await admin.post('/departments', { name: 'Finance', servesExternalCustomers: false })).body.id;
    const desk = (await admin.post('/teams', { name: 'Accounts desk', departmentId: finance })).body.id;
    const front = (await admin.post('/teams', { name: 'Front line', departmentId: logistics })).body.id;
    await admin.post('/staff', { name: 'Ada Byron', email: 'ada@kept.test', role: 'agent', teamId: front, departmentId: logistics, password });
    await admin.post('/staff', { name: 'Ben Okri', email: 'ben@kept.test', role: 'agent', teamId: front, departmentId: logistics, password });
    await admin.post('/staff', { name: 'Cleo Chief', email: 'cleo@kept.test', role: 'executive', password });
    await admin.post('/staff', { name: 'Fay Finance', email: 'fay@kept.test', role: 'lead', teamId: desk, departmentId: finance, password });
    await admin.post('/staff', { name: 'Alma Admin', email: 'alma@kept.test', role: 'admin', password });
    const buy = (await admin.post('/touchpoints', { name: 'Buy' })).body.id;
    const deliver = (await admin.post('/touchpoints', { name: 'Deliver', afterId: buy, departmentId: logistics, momentOfTruth: true })).body.id;
    const bill = (await admin.post('/touchpoints', { name: 'Bill', afterId: deliver, departmentId: finance })).body.id;
    await admin.post('/touchpoints', { name: 'Renew', afterId: bill, momentOfTruth: true });
    const survey = (await admin.post('/surveys', { name: 'After a moment', trigger: 'relationship', questions: [{ kind: 'nps' }] })).body;
    const ada = k.anonymous();
    await ada.signIn('ada@kept.test', password);
    const scores: [string, number, string?][] = [['buy', 10], ['buy', 9, 'Ada was lovely and helpful, thank you'], ['buy', 10], ['buy', 8], ['deliver', 2], ['deliver', 3], ['deliver', 4], ['deliver', 9],
      ['deliver', 1], ['bill', 9], ['bill', 7], ['bill', 10], ['renew', 10], ['renew', 9]];
    for (const [i, [tp, nps, comment]] of scores.entries()) {
      const cust = (await admin.post('/customers', { name: `Customer ${i + 1}`, emails: [`c${i}@cust.example`] })).body;
      const c = (await ada.post('/cases', { subject: 'My order', channel: 'email', customerId: cust.id, touchpoint: tp, causedByDepartmentId: nps <= 4 ? logistics : null })).body;
      assert.equal((await admin.post(`/surveys/${survey.id}/invitations`, { customerId: cust.id, caseId: c.id })).status, 201);
      const [mail] = await k.sql<{ text_body: string }>(`SELECT text_body FROM outbound_emails WHERE kind = 'survey' AND to_address = $1`, [`c${i}@cust.example`]);
      const token = /\/s\/(sv_\S+)/.exec(mail!.text_body)![1]!;
      await fetch(`${k.baseUrl}/api/v1/public/surveys/${token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ answers: { nps, ...(comment ? { comment } : {}) }, complete: true }) });
    }
    const wes = (await admin.post('/customers', { name: 'Requester' })).body;
    await ada.post('/cases', { subject: 'Invoice copy please', channel: 'other', customerId: wes.id, requesterDepartmentId: logistics, teamId: desk, ownerId: null });
    await k.runTimers();
  });
  after(async () => {
    await browser?.close();
    await k?.close();
  });

  it('shows the journey as a diagram with the weakest moment, and the people behind a figure', async () => {
    const page = await signedInPage(browser, k.baseUrl, 'alma@kept.test', password);
    await page.getByRole('link', { name: 'Loyalty' }).click();
    await page.getByRole('img', { name: /The customer journey: 1\. Buy/ }).waitFor();
    await page.getByText('Weakest moment', { exact: true }).first().waitFor();
    assert.match(await page.getByRole('region', { name: 'Weakest moment' }).innerText(), /Deliver/);
    await page.getByRole('button', { name: /Detractors at Deliver: 4, show who/ }).click();
    await page.getByRole('region', { name: 'Detractors at Deliver' }).getByRole('link', { name: 'Customer 5' }).waitFor();
    await screenshots(page, '40-loyalty-journey');
  });

  it("shows executives every department's scorecard side by side, and a department head their own", async () => {
    const exec = await signedInPage(browser, k.baseUrl, 'cleo@kept.test', password);
    await exec.goto(`${k.baseUrl}/loyalty/scorecards`);
    await exec.getByRole('columnheader', { name: 'Finance (internal)' }).waitFor();
    await exec.getByRole('columnheader', { name: 'Logistics' }).waitFor();
    await screenshots(exec, '41-loyalty-scorecards-all');
    const fay = await signedInPage(browser, k.baseUrl, 'fay@kept.test', password);
    await fay.goto(`${k.baseUrl}/loyalty/scorecards`);
    await fay.getByRole('heading', { name: 'Finance: scorecard' }).waitFor();
    assert.equal(await fay.getByRole('heading', { name: 'Logistics: scorecard' }).count(), 0);
    await fay.getByText('No external customers').waitFor();
    await screenshots(fay, '42-loyalty-scorecard-own');
  });

  it('lets a colleague give kudos and shows the stars with their intervals', async () => {
    const page = await signedInPage(browser, k.baseUrl, 'ben@kept.test', password);
    await page.goto(`${k.baseUrl}/loyalty/stars`);
    await page.getByRole('combobox', { name: /^To/ }).selectOption({ label: 'Ada Byron' });
    await page.getByLabel('Why').fill('Stayed late to sort the Leeds deliveries');
    await page.getByRole('button', { name: 'Give kudos' }).click();
    await page.getByText('“Stayed late to sort the Leeds deliveries”').waitFor();
    await page.getByRole('img', { name: /Score \d+, 95 % interval/ }).first().waitFor();
    assert.equal(await page.getByRole('combobox', { name: /^To/ }).locator('option', { hasText: 'Ben Okri' }).count(), 0, 'nobody can pick themselves');
    await screenshots(page, '43-loyalty-stars');
  });

  it('lets a leader rate an input on the described scale and add an action', async () => {
    const page = await signedInPage(browser, k.baseUrl, 'cleo@kept.test', password);
    await page.goto(`${k.baseUrl}/loyalty/inputs`);
    const card = page.getByRole('region', { name: 'Organisation-wide education' });
    await card.getByText('Rate, lead, act').click();
    await card.getByLabel('Where we are').selectOption({ index: 2 });
    await card.getByLabel('Where we want to be').selectOption({ index: 4 });
    await card.getByLabel('Evidence').fill('Half the teams took the loyalty course');
    await card.getByRole('button', { name: 'Save my rating' }).click();
    await card.getByText('1 leaders rated').waitFor();
    await card.getByLabel('Accountable leader').selectOption({ label: 'Fay Finance' });
    await card.getByText('Accountable: Fay Finance').waitFor();
    await card.getByLabel('Action', { exact: true }).fill('Every team lead takes the course');
    await card.getByLabel('Due').fill(new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10));
    await card.getByRole('button', { name: 'Add action' }).click();
    await card.getByText(/Every team lead takes the course · Fay Finance/).waitFor();
    await screenshots(page, '44-loyalty-inputs');
  });
});
