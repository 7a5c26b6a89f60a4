import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startKept, type TestKept } from '../helpers/app';
import { startSink, type Sink } from '../helpers/mail';
import { browserMissing, launch, screenshots, signedInPage } from '../helpers/browser';

const skip = browserMissing();

describe('a customer answers a survey; the loop closes in the workspace', { skip: skip ?? false, timeout: 120_000 }, () => {
  let k: TestKept;
  let sink: Sink;
  let browser: Browser;
  const password = 'correct horse battery';
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

  it('resolve → survey email → click 3 and confirm with one tap → a recovery case for the owner appears in My work', async () => {
    const admin = await k.signedIn('admin');
    await admin.patch('/settings', { name: 'Acme' });
    await admin.post('/surveys', { name: 'After a case', trigger: 'case_resolved', questions: [{ kind: 'nps' }, { kind: 'ces' }, { kind: 'expectation' }] });
    const agent = await admin.post('/staff', { name: 'Ari Agent', email: 'ari@kept.test', role: 'agent', password });
    assert.equal(agent.status, 201);
    const agentApi = k.anonymous();
    await agentApi.signIn('ari@kept.test', password); // Ari opens the case: nobody is made owner without saying yes
    const c = (await agentApi.post('/cases', { subject: 'Lamp flickers', channel: 'email', customer: { name: 'Ada Okafor', title: 'Mrs', givenName: 'Ada', familyName: 'Okafor', emails: ['ada@okafor.example'], language: 'en' } })).body;

    const staff = await signedInPage(browser, k.baseUrl, 'ari@kept.test', password);

    await staff.goto(`${k.baseUrl}/cases/${c.id}`);
    await staff.getByLabel('Status').selectOption('resolved');
    await staff.getByLabel('Status').and(staff.locator('select')).evaluate((el) => (el as unknown as { value: string }).value === 'resolved');
    for (let i = 0; i < 20 && !sink.received.length; i++) { await k.runTimers(); await new Promise((r) => setTimeout(r, 100)); }
    await sink.waitFor(1);
    const link = /^3: (\S+)/m.exec(sink.received[0]!.text!)![1]!; // the score 3, clicked in the email
    const url = new URL(link);

    const customer = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    await customer.goto(`${k.baseUrl}${url.pathname}${url.search}`);
    await customer.getByText('Hello Mrs Okafor,').waitFor();
    await screenshots(customer, '12-survey-page');
    assert.ok(await customer.getByRole('group', { name: /recommend Acme/ }).getByRole('radio', { name: '3', exact: true }).isChecked(), 'the clicked score is pre-selected');
    assert.deepEqual(await k.sql('SELECT id FROM survey_responses'), [], 'opening the link records nothing: link scanners open links too');
    await customer.getByRole('button', { name: 'Confirm my score' }).click();
    await customer.getByRole('status').getByText('Saved').waitFor();
    await customer.getByRole('button', { name: 'Send my answers' }).click();
    await customer.getByText('Thank you. Your answers are with us.').waitFor();
    await screenshots(customer, '13-survey-thanks');
    await k.runTimers(); // the closed loop reacts to the answer (on a running server: at once, woken by the event)

    await staff.getByRole('link', { name: 'My work' }).click();
    const clock = staff.getByRole('region', { name: /Recoveries on the clock/ });
    await clock.getByText('Recovery: detractor (3) in a survey answer').waitFor({ timeout: 60_000 });
    await screenshots(staff, '14-my-work-recovery-from-survey');
    // the recovery case shows what the customer answered and the case it was about
    await clock.getByRole('link', { name: 'Recovery: detractor (3) in a survey answer' }).click();
    const answers = staff.getByRole('region', { name: /Survey answers/ });
    await answers.getByText('Would recommend (0–10)').waitFor();
    await answers.getByRole('link', { name: `#${c.id} Lamp flickers` }).waitFor();
    await screenshots(staff, '14b-recovery-case-with-answer');
    const responses = await k.sql<{ nps: number; completed: boolean }>('SELECT nps, completed_at IS NOT NULL AS completed FROM survey_responses');
    assert.deepEqual(responses, [{ nps: 3, completed: true }]);

    const reviewer = await signedInPage(browser, k.baseUrl, 'admin1@example.test', password);
    await reviewer.getByRole('link', { name: 'Review' }).click();
    await reviewer.getByRole('heading', { name: 'Net Promoter Score' }).waitFor();
    await reviewer.getByText('1 answers').waitFor();
    await reviewer.getByRole('heading', { name: 'NPS by group' }).waitFor();
    await reviewer.getByLabel('Group by').selectOption('agent');
    await reviewer.getByRole('cell', { name: 'Ari Agent' }).waitFor();
    await screenshots(reviewer, '15-review');
  });
});
