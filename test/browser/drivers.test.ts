import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import iconv from 'iconv-lite';
import { startKept, type TestKept } from '../helpers/app';
import { browserMissing, launch, screenshots, signedInPage } from '../helpers/browser';

const skip = browserMissing();

describe('the drivers screen (what predicts loyalty) in a real browser', { skip: skip ?? false, timeout: 180_000 }, () => {
  let k: TestKept;
  let browser: Browser;
  const file = path.join(os.tmpdir(), `enquete-${process.pid}.csv`);
  before(async () => {
    k = await startKept({ now: new Date().toISOString() });
    browser = await launch();
    const admin = await k.signedIn('admin', { name: 'Alex Admin' });
    await admin.post('/surveys', { name: 'Enquête clients', trigger: 'relationship', active: false, questions: [{ kind: 'nps' }, { kind: 'csat' }, { kind: 'ease' }] });
    const lines = ['id;nps;csat;ease;commentaire'];
    for (let i = 0; i < 120; i++) {
      const ease = 1 + (i * 7) % 5, csat = 1 + (i * 3) % 5;
      lines.push(`${i};${Math.min(10, Math.max(0, Math.round(ease * 1.6 + csat * 0.5 + ((i * 13) % 3) - 1)))};${csat};${ease};${i % 4 ? 'Très bien, équipe aimable' : 'NA'}`);
    }
    lines.push('999;12;3;3;hors échelle');
    fs.writeFileSync(file, iconv.encode(lines.join('\r\n'), 'latin1'));
  });
  after(async () => {
    fs.rmSync(file, { force: true });
    await browser?.close();
    await k?.close();
  });

  it('an admin previews a latin-1 file, maps its columns, checks it, imports it with a progress bar, and reads which experience matters most', async () => {
    const page = await signedInPage(browser, k.baseUrl, 'admin1@example.test', 'correct horse battery');
    await page.getByRole('link', { name: 'Drivers' }).click();
    await page.getByRole('heading', { name: 'What predicts loyalty' }).waitFor();
    await page.getByLabel('CSV file').setInputFiles(file);
    await page.getByRole('table').waitFor();
    assert.equal(await page.getByLabel('Question for column nps').inputValue(), 'nps', 'columns named like a question are mapped');
    assert.match(await page.getByRole('table').innerText(), /Très bien, équipe aimable/, 'the preview shows accents right');
    await page.getByLabel('Reference column').selectOption('id');
    await page.getByLabel('Question for column commentaire').selectOption('comment');
    await page.getByRole('button', { name: 'Check (dry run)' }).click();
    await page.getByText(/Dry run: 120 of 121 rows would be imported/).waitFor();
    await page.getByText(/Row 122, column nps: “12”/).waitFor();
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByText(/^120 of 121 rows imported/).waitFor();
    await page.reload();
    await page.getByText(/Ease matters most for likelihood to recommend/).waitFor();
    await screenshots(page, 'drivers');
  });
});
