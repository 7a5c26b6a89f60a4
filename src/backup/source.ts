/**
 * Which database a backup command works on: DATABASE_URL, or the embedded one. A running
 * Kept's embedded PostgreSQL is used as it is (online backup), never stopped or started twice.
 */
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../core/config';
import { startEmbeddedPostgres } from '../core/db/embedded';

export interface Source { url: string; engine: 'embedded' | 'server'; stop(): Promise<void> }

export async function openConfiguredDatabase(config: Config): Promise<Source> {
  if (config.databaseUrl) return { url: config.databaseUrl, engine: 'server', stop: async () => {} };
  const running = await runningEmbeddedUrl(config.dataDir);
  if (running) return { url: running, engine: 'embedded', stop: async () => {} };
  const pg = await startEmbeddedPostgres(config.dataDir, { port: config.embeddedDbPort });
  return { url: pg.url, engine: 'embedded', stop: pg.stop };
}

/** The URL of the embedded PostgreSQL a running Kept started, if one runs on this data folder. */
export async function runningEmbeddedUrl(dataDir: string): Promise<string | null> {
  const pidFile = path.join(dataDir, 'postgres', 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const lines = (await fs.readFile(pidFile, 'utf8')).split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  try {
    process.kill(pid, 0);
  } catch {
    return null;
  }
  const { password } = JSON.parse(await fs.readFile(path.join(dataDir, 'credentials.json'), 'utf8')) as { password: string };
  return `postgres://kept:${encodeURIComponent(password)}@127.0.0.1:${port}/kept`;
}
