import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startKept, type TestKept } from '../helpers/app';

describe('scheduled backups', { timeout: 60_000 }, () => {
  let k: TestKept;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kept-scheduled-'));
  before(async () => {
    k = await startKept({ now: '2026-03-02T09:00:00Z', options: { backup: { dir, everyMs: 60 * 60_000, keep: 2, engine: 'embedded' } } });
  });
  after(async () => {
    await k?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const backups = () => fs.readdirSync(dir).filter((n) => n.endsWith('.tar')).sort();

  it('a backup is taken once per interval and only the newest ones are kept', async () => {
    await k.runTimers();
    assert.deepEqual(backups(), ['kept-backup-20260302T090000Z.tar']);
    assert.ok(fs.existsSync(path.join(dir, 'kept-backup-20260302T090000Z.tar.sha256')));
    k.clock.advance(30 * 60_000);
    await k.runTimers();
    assert.equal(backups().length, 1, 'not again within the hour');
    k.clock.advance(31 * 60_000);
    await k.runTimers();
    assert.deepEqual(backups(), ['kept-backup-20260302T090000Z.tar', 'kept-backup-20260302T100100Z.tar']);
    k.clock.advance(61 * 60_000);
    await k.runTimers();
    assert.deepEqual(backups(), ['kept-backup-20260302T100100Z.tar', 'kept-backup-20260302T110200Z.tar'], 'the oldest is deleted: two are kept');
    assert.ok(!fs.existsSync(path.join(dir, 'kept-backup-20260302T090000Z.tar.sha256')));
  });
});
