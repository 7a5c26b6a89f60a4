/** Backups as files: written beside their final name and renamed when complete and synced. */
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { writeBackup, type BackupOptions, type BackupResult } from './backup';

export function backupFileName(at: Date): string {
  return `kept-backup-${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.tar`;
}

export async function writeBackupFile(url: string, file: string, opts: BackupOptions): Promise<BackupResult> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  try {
    const result = await writeBackup(url, createWriteStream(partial), opts);
    const handle = await fs.open(partial, 'r+');
    await handle.sync();
    await handle.close();
    await fs.rename(partial, file);
    await fs.writeFile(`${file}.sha256`, `${result.sha256}  ${path.basename(file)}\n`);
    return result;
  } catch (e) {
    await fs.rm(partial, { force: true });
    throw e;
  }
}
