/**
 * Scheduled backups (KEPT_BACKUP_DIR, KEPT_BACKUP_EVERY, KEPT_BACKUP_KEEP): a worker that takes
 * the same online backup as `kept backup` when the newest one in the folder is older than the
 * interval, then keeps only the newest N. A failed attempt leaves a .failed file with the reason,
 * which also counts as an attempt, so a broken disk is not hammered every second. An advisory
 * lock makes one instance do it when several share the database.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { Ctx } from '../core/context';
import { backupFileName, writeBackupFile } from './files';

const LOCK_KEY = 72_657_070;
const NAME = /^kept-backup-(\d{8}T\d{6}Z)\.(tar|failed)$/;

function stampTime(stamp: string): number {
  const iso = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}Z`;
  return Date.parse(iso);
}

export async function scheduledBackup(ctx: Ctx): Promise<number> {
  const plan = ctx.config.backup;
  if (!plan) return 0;
  const now = ctx.clock.now();
  await fs.mkdir(plan.dir, { recursive: true });
  const names = (await fs.readdir(plan.dir)).filter((n) => NAME.test(n)).sort();
  const newest = names.length ? stampTime(NAME.exec(names.at(-1)!)![1]!) : 0;
  if (now.getTime() - newest < plan.everyMs) return 0;

  const client = new pg.Client({ connectionString: plan.databaseUrl });
  await client.connect();
  try {
    if (!(await client.query('SELECT pg_try_advisory_lock($1) AS ok', [LOCK_KEY])).rows[0].ok) return 0;
    const file = path.join(plan.dir, backupFileName(now));
    try {
      await writeBackupFile(plan.databaseUrl, file, { attachmentsDir: plan.attachmentsDir, engine: plan.engine });
    } catch (e) {
      await fs.writeFile(file.replace(/\.tar$/, '.failed'), `${now.toISOString()} ${(e as Error).stack ?? String(e)}\n`);
      throw e;
    }
    await prune(plan.dir, plan.keep);
    return 1;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => {});
    await client.end();
  }
}

async function prune(dir: string, keep: number) {
  const names = (await fs.readdir(dir)).filter((n) => NAME.test(n)).sort();
  const backups = names.filter((n) => n.endsWith('.tar'));
  const failures = names.filter((n) => n.endsWith('.failed'));
  for (const n of [...backups.slice(0, Math.max(0, backups.length - keep)), ...failures.slice(0, Math.max(0, failures.length - keep))]) {
    await fs.rm(path.join(dir, n), { force: true });
    await fs.rm(path.join(dir, `${n}.sha256`), { force: true });
  }
}
