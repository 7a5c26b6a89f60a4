/**
 * Where the data lives: an external PostgreSQL server when DATABASE_URL is set, otherwise the
 * embedded one in the data folder. Either way the same migrations are applied before use.
 */
import type { Config } from '../config';
import { startEmbeddedPostgres } from './embedded';
import { migrate } from './migrate';

export interface OpenDatabase {
  url: string;
  embedded: boolean;
  applied: string[];
  stop(): Promise<void>;
}

export async function openDatabase(config: Config, log: (line: string) => void = () => {}): Promise<OpenDatabase> {
  if (config.databaseUrl) {
    const applied = await migrate(config.databaseUrl);
    return { url: config.databaseUrl, embedded: false, applied, stop: async () => {} };
  }
  const pg = await startEmbeddedPostgres(config.dataDir, { port: config.embeddedDbPort, log });
  try {
    const applied = await migrate(pg.url);
    return { url: pg.url, embedded: true, applied, stop: pg.stop };
  } catch (e) {
    await pg.stop();
    throw e;
  }
}
