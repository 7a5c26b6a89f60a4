/**
 * Real headless Chromium (Debian's package) driven by playwright-core; never a downloaded
 * browser. Screenshots go to test-output/screenshots (git-ignored) for people to look at.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.KEPT_CHROMIUM ?? '/usr/bin/chromium';
export const SHOTS = path.resolve(import.meta.dirname, '../../test-output/screenshots');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

export function browserMissing(): string | null {
  return fs.existsSync(CHROMIUM) ? null : `no Chromium at ${CHROMIUM} (apt-get install chromium): browser tests skipped`;
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/** Zero serious or critical axe-core violations, or a readable list of what is wrong. */
export async function assertAccessible(page: Page, screen: string) {
  // Evaluated through the DevTools protocol, not as an inline <script>: the pages' own
  // Content-Security-Policy stays in force (and would refuse an injected script tag).
  await page.evaluate(fs.readFileSync(AXE, 'utf8'));
  // Runs in the page, where axe is a global; typed loosely because this file compiles for Node.
  const violations = await page.evaluate(async () => {
    const g = globalThis as unknown as { document: unknown; axe: { run: (ctx: unknown, opts: object) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } };
    const r = await g.axe.run(g.document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact}: ${v.id} — ${v.help} (${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')})`);
  });
  if (violations.length) throw new Error(`axe-core found on ${screen}:\n  ${violations.join('\n  ')}`);
}

/** Screenshots of the current screen at desktop (1280) and phone (390) widths. */
export async function screenshots(page: Page, name: string) {
  fs.mkdirSync(SHOTS, { recursive: true });
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await page.waitForTimeout(50);
    await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage: true });
    await assertAccessible(page, `${name} at ${width}px`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** A new browser context (its own cookies), signed in through the sign-in form, on My work. */
export async function signedInPage(browser: Browser, baseUrl: string, email: string, password: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const page = await (await browser.newContext({ viewport })).newPage();
  await page.goto(baseUrl);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'My work' }).waitFor();
  return page;
}

/**
 * API requests a page makes while the user does nothing for `ms`: a screen that polls the API
 * in a loop (a query key that changes on every render, a refetch timer gone wrong) shows up as
 * a count above `max`. The live event stream and presence announcements are not polling.
 */
export async function assertIdle(page: Page, screen: string, ms = 3_000, max = 1): Promise<string[]> {
  const seen: string[] = [];
  const onRequest = (r: { url(): string }) => {
    const url = r.url();
    if (url.includes('/api/v1/') && !url.includes('/api/v1/live') && !url.endsWith('/presence')) seen.push(url.replace(/^https?:\/\/[^/]+/, ''));
  };
  page.on('request', onRequest);
  await page.waitForTimeout(ms);
  page.off('request', onRequest);
  if (seen.length > max) throw new Error(`${screen} made ${seen.length} API requests in ${ms} ms of doing nothing (polling in a loop?):\n  ${seen.slice(0, 10).join('\n  ')}`);
  return seen;
}

/** Every API request the page makes from now on, to count what one step of the user cost. */
export function recordRequests(page: Page): { urls: string[]; stop(): void } {
  const urls: string[] = [];
  const onRequest = (r: { url(): string }) => { if (r.url().includes('/api/v1/')) urls.push(r.url().replace(/^https?:\/\/[^/]+/, '')); };
  page.on('request', onRequest);
  return { urls, stop: () => page.off('request', onRequest) };
}
