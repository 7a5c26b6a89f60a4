/**
 * The staff workspace in a real browser at the bench's largest table: time to interactive (a full
 * page load, from navigation until the screen's main content is on screen) of My work, a view
 * with 10,000 matching cases (with its saved-view count), and the team lead's dashboard, for a
 * lead whose team holds those 10,000 cases (inserted here, tagged, 50 of them the lead's own).
 * Needs Debian's Chromium; the case screen's own timing is caseScreenTiming in run.ts.
 */
import fs from 'node:fs';
import { sql } from 'kysely';
import { chromium, type Page } from 'playwright-core';
import type { createKept } from '../src/app';
import { createStaff } from '../src/staff';
import { createView } from '../src/views/service';

type Kept = Awaited<ReturnType<typeof createKept>>;
const CHROMIUM = process.env.KEPT_CHROMIUM ?? '/usr/bin/chromium';
const MATCHING = 10_000;
const LOADS = 9;
const TAG = 'kettle-recall';

export async function workspaceTiming(kept: Kept) {
  if (!fs.existsSync(CHROMIUM)) {
    console.log(`\nworkspace timing: skipped (no Chromium at ${CHROMIUM})`);
    return;
  }
  const addr = kept.http.server.address();
  const base = addr && typeof addr === 'object' ? `http://127.0.0.1:${addr.port}` : await kept.http.listen({ port: 0, host: '127.0.0.1' });
  const sys = kept.ctx;
  const lead = await createStaff(sys, { name: 'Workspace Lead', email: 'workspace.lead@example.test', role: 'lead', password: 'kettle recall desk lead' });
  const team = await kept.db.insertInto('teams').values({ name: 'Recall desk', lead_id: lead.id }).returning('id').executeTakeFirstOrThrow();
  await kept.db.updateTable('staff').set({ team_id: team.id }).where('id', '=', lead.id).execute();
  const agent = await createStaff(sys, { name: 'Recall Agent', email: 'recall.agent@example.test', role: 'agent', teamId: team.id });
  // The lead owns 50; a quarter wait unowned in the team's queue (new); the colleague owns the rest.
  await sql`INSERT INTO cases (subject, customer_id, channel, type, priority, status, owner_id, team_id, tags, opened_at, resolution_due_at, updated_at)
    SELECT 'Kettle recall ' || g, (SELECT min(id) FROM customers), 'email', 'question', (ARRAY['low','normal','normal','high','urgent'])[1 + g % 5],
           CASE WHEN g > 50 AND g % 4 = 0 THEN 'new' ELSE (ARRAY['open','waiting_on_customer','open','resolved'])[1 + g % 4] END,
           CASE WHEN g <= 50 THEN ${lead.id}::bigint WHEN g % 4 = 0 THEN NULL ELSE ${agent.id}::bigint END, ${team.id}::bigint,
           ARRAY[${TAG}]::text[], now() - (g || ' minutes')::interval, now() + ((g % 72) - 12 || ' hours')::interval, now()
    FROM generate_series(1, ${MATCHING}) g`.execute(kept.db);
  await sql`ANALYZE cases`.execute(kept.db);
  const actor = { id: lead.id, name: lead.name, role: lead.role, teamId: team.id, departmentId: null };
  await createView({ ...sys, actor }, { name: 'Kettle recall', filters: { view: 'all', team: '', tag: TAG, priority: '', channel: '', touchpoint: '', search: '' } });

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(base);
    await page.getByLabel('Email').fill('workspace.lead@example.test');
    await page.getByLabel('Password').fill('kettle recall desk lead');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'My work' }).waitFor();
    const screens: [string, string, (p: Page) => Promise<unknown>][] = [
      ['My work (50 own cases)', '/', (p) => p.getByRole('region', { name: /Cases I own/ }).getByRole('link').first().waitFor()],
      [`a view with ${MATCHING.toLocaleString('en')} matching cases, with its saved-view count`, `/queues?tag=${TAG}&view=all`,
        (p) => Promise.all([p.getByRole('table').getByRole('link').first().waitFor(), p.getByRole('button', { name: /^Kettle recall 10,000/ }).waitFor()])],
      [`team dashboard (${MATCHING.toLocaleString('en')}-case team)`, '/dashboard',
        (p) => Promise.all([p.getByRole('region', { name: 'Backlog', exact: true }).locator('.headline').waitFor(), p.getByRole('img', { name: /Open cases by age/ }).locator('canvas').waitFor()])],
    ];
    const total = Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM cases`.execute(kept.db)).rows[0]!.n);
    console.log(`\n| workspace screen interactive (full page load, main content on screen), ${total.toLocaleString('en')} cases | median ms | max ms | target |`);
    console.log('|---|---:|---:|---|');
    for (const [name, path, ready] of screens) {
      await page.goto(`${base}${path}`);
      await ready(page); // warm: the first load of a screen also fetches its code
      const times: number[] = [];
      for (let i = 0; i < LOADS; i++) {
        const t0 = performance.now();
        await page.goto(`${base}${path}`);
        await ready(page);
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      console.log(`| ${name} | ${times[Math.floor(times.length / 2)]!.toFixed(0)} | ${times.at(-1)!.toFixed(0)} | under 500 ms |`);
    }
  } finally {
    await browser.close();
  }
}
