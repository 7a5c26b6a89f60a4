import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { startKept, type TestKept } from '../helpers/app';
import { browserMissing, launch, screenshots, signedInPage } from '../helpers/browser';

const skip = browserMissing();
const PASSWORD = 'correct horse battery';
const ALL_DAY: [string, string][] = [['00:00', '24:00']];

/** Any website: a plain page on another origin, with Kept's one script tag. */
async function startShop(keptUrl: string) {
  let teamId = 0;
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Tea shop</title></head>
<body><main><h1>Tea shop</h1><p>Our finest teas, delivered.</p></main>
<script src="${keptUrl}/widget.js" data-team="${teamId}" data-lang="en"></script></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    setTeam(id: number) { teamId = id; },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function openWidget(page: Page, url: string): Promise<FrameLocator> {
  await page.goto(url);
  await page.getByRole('button', { name: 'Chat with us' }).click();
  const frame = page.frameLocator('iframe[title="Chat with us"]');
  await frame.getByRole('button', { name: 'Talk to a person' }).waitFor();
  return frame;
}

describe('live chat in a real browser', { skip: skip ?? false, timeout: 240_000 }, () => {
  let k: TestKept;
  let browser: Browser;
  let shop: Awaited<ReturnType<typeof startShop>>;
  let admin: Awaited<ReturnType<TestKept['signedIn']>>;
  const emailOf = async (id: number) => (await admin.get(`/staff/${id}`)).body.email as string;

  before(async () => {
    k = await startKept({ now: new Date().toISOString() });
    admin = await k.signedIn('admin');
    // Open round the clock, so the test does not depend on when it runs.
    await admin.patch('/settings', { businessHours: { mon: ALL_DAY, tue: ALL_DAY, wed: ALL_DAY, thu: ALL_DAY, fri: ALL_DAY, sat: ALL_DAY, sun: ALL_DAY } });
    shop = await startShop(k.baseUrl);
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await shop?.close();
    await k?.close();
  });

  it('a visitor asks for a person, an agent accepts, they talk live, a colleague takes over, and the transcript is the case', async () => {
    const teamId = (await admin.post('/teams', { name: 'Tea team' })).body.id;
    shop.setTeam(teamId);
    const ada = await k.signedIn('agent', { name: 'Ada Agent', teamId });
    const ben = await k.signedIn('agent', { name: 'Ben Agent', teamId });
    const lead = await k.signedIn('lead', { name: 'Lia Lead', teamId });

    const agent = await signedInPage(browser, k.baseUrl, await emailOf(ada.id), PASSWORD);
    await agent.getByRole('link', { name: 'Chat', exact: true }).click();
    await agent.getByLabel('My presence').selectOption('available');
    await agent.getByText('Nobody is waiting.').waitFor();

    const visitor = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    const frame = await openWidget(visitor, shop.url);
    await frame.getByLabel('Type your message').fill('Where is my parcel of green tea?');
    await frame.getByRole('button', { name: 'Send' }).click();
    await frame.getByRole('log').getByText('Where is my parcel of green tea?').waitFor();
    await frame.getByRole('button', { name: 'Talk to a person' }).click();
    await frame.getByRole('status').getByText('You are number 1 in the queue. Estimated wait: less than a minute.').waitFor();
    await screenshots(visitor, 'chat-01-visitor-queued');

    // The agent, in another browser, sees the chat offered and accepts it.
    const accept = agent.getByRole('button', { name: /^Accept chat/ });
    await accept.waitFor();
    await agent.getByText('offered to you').waitFor();
    await screenshots(agent, 'chat-02-agent-waiting');
    await accept.click();
    await agent.getByRole('log').getByText('Where is my parcel of green tea?').waitFor();
    await frame.getByRole('status').getByText('You are chatting with Ada Agent.').waitFor();

    // Both ways, live.
    await agent.getByLabel('Reply').fill('Hello, I am Ada. Your parcel left our warehouse this morning.');
    await agent.getByRole('button', { name: 'Send', exact: true }).click();
    await frame.getByRole('log').getByText('Your parcel left our warehouse this morning.').waitFor();
    await frame.getByLabel('Type your message').fill('Wonderful, thank you!');
    await frame.getByRole('button', { name: 'Send' }).click();
    await agent.getByRole('log').getByText('Wonderful, thank you!').waitFor();
    await screenshots(agent, 'chat-03-agent-talking');
    await screenshots(visitor, 'chat-04-visitor-talking');

    // Hand-over through the case handshake; the colleague accepts in My work.
    const chatRow = (await k.sql<{ id: string; case_id: string }>('SELECT id, case_id FROM chat_conversations WHERE agent_id = $1', [ada.id]))[0]!;
    const caseId = Number(chatRow.case_id);
    assert.equal((await ada.post(`/cases/${caseId}/handovers`, { toStaffId: ben.id, note: 'Ben handles the green tea shipments.' })).status, 201);
    const colleague = await signedInPage(browser, k.baseUrl, await emailOf(ben.id), PASSWORD);
    await colleague.getByRole('button', { name: 'Accept' }).first().click();
    await colleague.getByText('No offers waiting.').waitFor();
    await k.runTimers(); // the chat follows the case (subscriber on handover.accepted)
    await frame.getByRole('log').getByText(/Ben Agent is taking over from Ada Agent/).waitFor();
    await frame.getByRole('status').getByText('You are chatting with Ben Agent.').waitFor();

    // The transcript is on the case.
    await colleague.goto(`${k.baseUrl}/cases/${caseId}`);
    await colleague.getByText('Where is my parcel of green tea?').first().waitFor();
    await colleague.getByText('Wonderful, thank you!').first().waitFor();
    await screenshots(colleague, 'chat-05-case-transcript');
    const kinds = (await admin.get(`/cases/${caseId}/timeline`)).body.items.map((e: { kind: string }) => e.kind);
    assert.deepEqual(kinds.filter((x: string) => ['inbound_message', 'outbound_reply'].includes(x)), ['inbound_message', 'outbound_reply', 'inbound_message']);

    // The team lead's live queue and the staffing screen.
    const leadPage = await signedInPage(browser, k.baseUrl, await emailOf(lead.id), PASSWORD);
    await leadPage.getByRole('link', { name: 'Chat queue' }).click();
    await leadPage.getByRole('heading', { name: 'Live chat queue' }).waitFor();
    await leadPage.getByRole('cell', { name: 'Ada Agent' }).waitFor();
    await screenshots(leadPage, 'chat-06-live-queue');
    await leadPage.getByRole('link', { name: 'Staffing' }).click();
    await leadPage.getByText('Agents needed').waitFor();
    await screenshots(leadPage, 'chat-07-staffing');
  });

  it('with nobody online the visitor is told when a person will be there, and the chat is a case with that expectation', async () => {
    const night = (await admin.post('/teams', { name: 'Night team' })).body.id;
    shop.setTeam(night);
    const visitor = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    const frame = await openWidget(visitor, shop.url);
    await frame.getByLabel('Type your message').fill('Can I return an opened tin?');
    await frame.getByRole('button', { name: 'Send' }).click();
    await frame.getByRole('log').getByText('Can I return an opened tin?').waitFor();
    await frame.getByRole('button', { name: 'Talk to a person' }).click();
    await frame.getByRole('status').getByText(/^A person will reply by /).waitFor();
    await frame.getByRole('log').getByText(/Nobody can answer right now\. A person will reply by .* case K-\d+/).waitFor();
    await screenshots(visitor, 'chat-08-visitor-nobody-online');
    const row = (await k.sql<{ case_id: string; expected_at: Date; status: string }>('SELECT case_id, expected_at, status FROM chat_conversations WHERE team_id = $1', [night]))[0]!;
    assert.equal(row.status, 'waiting_as_case');
    const c = (await admin.get(`/cases/${row.case_id}`)).body;
    assert.equal(c.channel, 'chat');
    assert.ok(row.expected_at);

    // A flood is slowed down, in words.
    for (let i = 0; i < 21; i++) {
      await frame.getByLabel('Type your message').fill(`again ${i}`);
      await frame.getByRole('button', { name: 'Send' }).click();
      if (i < 19) await frame.getByRole('log').getByText(`again ${i}`, { exact: true }).waitFor();
    }
    await frame.getByRole('alert').getByText(/You are sending messages too fast/).waitFor();
  });

  it('a forged visitor token for another conversation shows nothing of it', async () => {
    const victim = (await k.sql<{ id: string }>("SELECT id FROM chat_conversations ORDER BY id LIMIT 1"))[0]!;
    const page = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    await page.goto(`${k.baseUrl}/chat/frame?lang=en`);
    await page.evaluate((id) => (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void; getItem(k: string): string | null } }).localStorage.setItem('kept-chat:any', JSON.stringify({ id, token: 'forged-forged-forged-forged', after: 0 })), Number(victim.id));
    await page.reload();
    await page.getByRole('log').getByText(/Hello! Write your question/).waitFor();
    await page.waitForTimeout(500);
    assert.equal(await page.getByText('Where is my parcel of green tea?').count(), 0);
    assert.equal(await page.evaluate(() => (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void; getItem(k: string): string | null } }).localStorage.getItem('kept-chat:any')), null, 'the forged token is dropped');
    await screenshots(page, 'chat-09-frame-fresh');
  });
});
