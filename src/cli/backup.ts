/** `kept backup`, `kept restore` and `kept move`: see src/backup. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { z } from 'zod';
import { loadConfig } from '../core/config';
import { writeBackup } from '../backup/backup';
import { assertEmpty, restoreBackup, RestoreRefused } from '../backup/restore';
import { openConfiguredDatabase, runningEmbeddedUrl } from '../backup/source';
import { progressBar } from '../backup/progress';
import { backupFileName, writeBackupFile } from '../backup/files';
import { CliError, parseFlags } from './args';

const BACKUP_HELP = `kept backup — a consistent online backup (database and attachments) while Kept runs

Options:
  --to FILE   where to write the archive (default: ./${backupFileName(new Date())})

Writes FILE (a tar: every table, the attachments, a manifest with row counts and SHA-256
checksums) and FILE.sha256. Uses DATABASE_URL when set, else the embedded database in
KEPT_DATA_DIR (the one a running Kept uses, or started for the occasion).`;

export async function backupCommand(args: string[]) {
  const flags = parseFlags(args, { to: { type: 'string' } }, z.object({ to: z.string().min(1).max(4096).optional() }), BACKUP_HELP);
  if (!flags) return;
  const config = loadConfig();
  const file = path.resolve(flags.to ?? backupFileName(new Date()));
  const source = await openConfiguredDatabase(config);
  try {
    const result = await writeBackupFile(source.url, file, { attachmentsDir: config.mail.attachmentsDir, engine: source.engine, onProgress: progressBar('backup') });
    const rows = result.manifest.tables.reduce((a, t) => a + t.rows, 0);
    console.log(`Backup written: ${file} (${(result.bytes / 1048576).toFixed(1)} MiB; ${rows} rows in ${result.manifest.tables.length} tables, ${result.manifest.attachments.length} attachments)`);
    console.log(`SHA-256 ${result.sha256} (also in ${path.basename(file)}.sha256)`);
    if (result.manifest.missingAttachments.length) console.error(`warning: ${result.manifest.missingAttachments.length} attachment files were missing from ${config.mail.attachmentsDir} and are not in the backup`);
  } finally {
    await source.stop();
  }
}

const RESTORE_HELP = `kept restore FILE — restore a backup into an EMPTY database and verify it

Options:
  --attachments-dir DIR   where the attachments go (default: KEPT_ATTACHMENTS_DIR)

The target is DATABASE_URL when set, else the embedded database in KEPT_DATA_DIR. It must be
empty (or freshly migrated, with no staff, customers or cases). Row counts and SHA-256
checksums are checked against the manifest before anything is committed.`;

export async function restoreCommand(args: string[]) {
  const file = args[0] && !args[0].startsWith('-') ? args[0] : undefined;
  const rest = file ? args.slice(1) : args;
  const flags = parseFlags(rest, { 'attachments-dir': { type: 'string' } }, z.object({ 'attachments-dir': z.string().min(1).max(4096).optional() }), RESTORE_HELP);
  if (!flags) return;
  if (!file) throw new CliError(`Name the backup file.\n\n${RESTORE_HELP}`);
  const config = loadConfig();
  const archive = path.resolve(file);
  await checkSidecar(archive);
  const target = await openConfiguredDatabase(config);
  try {
    const manifest = await restoreBackup(target.url, createReadStream(archive), {
      attachmentsDir: path.resolve(flags['attachments-dir'] ?? config.mail.attachmentsDir), onProgress: progressBar('restore'),
    }).catch(refusal);
    const rows = manifest.tables.reduce((a, t) => a + t.rows, 0);
    console.log(`Restored and verified: ${rows} rows in ${manifest.tables.length} tables, ${manifest.attachments.length} attachments (backup of ${manifest.createdAt})`);
  } finally {
    await target.stop();
  }
}

const MOVE_HELP = `kept move --to postgres://user:password@host:5432/kept — move to a PostgreSQL server

Options:
  --to URL               the EMPTY target database on a PostgreSQL 15+ server
  --attachments-to DIR   copy the attachments to this (shared) folder; default: they stay where they are
  --while-running        move although Kept is running on the embedded database (writes made
                         after the move starts stay behind)

Copies schema, data, sequences and attachments, verifies counts and checksums, and prints the
DATABASE_URL to start Kept with.`;

export async function moveCommand(args: string[]) {
  const flags = parseFlags(args, { to: { type: 'string' }, 'attachments-to': { type: 'string' }, 'while-running': { type: 'boolean' } }, z.object({
    to: z.string().max(4096).regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
    'attachments-to': z.string().min(1).max(4096).optional(),
    'while-running': z.boolean().optional(),
  }), MOVE_HELP);
  if (!flags) return;
  const config = loadConfig();
  if (!config.databaseUrl && !flags['while-running'] && (await runningEmbeddedUrl(config.dataDir))) {
    throw new CliError(`Kept is running on ${config.dataDir}: stop it first, so that no write is left behind (or pass --while-running).`);
  }
  await assertEmpty(flags.to).catch(refusal);
  const source = await openConfiguredDatabase(config);
  const attachmentsDir = path.resolve(flags['attachments-to'] ?? config.mail.attachmentsDir);
  try {
    const pipe = new PassThrough({ highWaterMark: 8 * 1024 * 1024 });
    const restoring = restoreBackup(flags.to, pipe, { attachmentsDir, attachmentsInPlace: attachmentsDir === config.mail.attachmentsDir, onProgress: progressBar('move') });
    const backingUp = writeBackup(source.url, pipe, { attachmentsDir: config.mail.attachmentsDir, engine: source.engine });
    backingUp.catch((e) => pipe.destroy(e as Error));
    restoring.catch((e) => pipe.destroy(e as Error));
    const [backup, manifest] = await Promise.all([backingUp, restoring.catch(refusal)]);
    const rows = manifest.tables.reduce((a, t) => a + t.rows, 0);
    console.log(`Moved and verified: ${rows} rows in ${manifest.tables.length} tables, ${manifest.attachments.length} attachments (${(backup.bytes / 1048576).toFixed(1)} MiB).`);
    console.log('\nStart Kept on the server with:\n');
    console.log(`  DATABASE_URL='${flags.to}' KEPT_ATTACHMENTS_DIR='${attachmentsDir}' npm start`);
    console.log('\nEvery instance needs the same DATABASE_URL, KEPT_ATTACHMENTS_DIR (a shared folder) and KEPT_SECRET_KEY.');
    if (!config.secretKey) console.log(`The secret key is in ${path.join(config.dataDir, 'secret.key')}: set KEPT_SECRET_KEY to its contents (base64) on every instance.`);
  } finally {
    await source.stop();
  }
}

function refusal(e: unknown): never {
  if (e instanceof RestoreRefused) throw new CliError(e.message);
  throw e;
}

/** FILE.sha256, when it is there, must match the archive before anything is touched. */
async function checkSidecar(file: string) {
  const sidecar = await fs.readFile(`${file}.sha256`, 'utf8').catch(() => null);
  if (!sidecar) return;
  const expected = sidecar.trim().split(/\s+/)[0];
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  if (hash.digest('hex') !== expected) throw new CliError(`${file} does not match its checksum in ${file}.sha256: the archive is damaged`);
}

