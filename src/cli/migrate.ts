import { z } from 'zod';
import { loadConfig } from '../core/config';
import { openDatabase } from '../core/db/open';
import { parseFlags } from './args';

const HELP = `kept migrate — apply pending database migrations and exit

Uses DATABASE_URL when set, otherwise the embedded database in KEPT_DATA_DIR (default ./data).`;

export async function migrateCommand(args: string[]) {
  if (!parseFlags(args, {}, z.object({}), HELP)) return;
  const db = await openDatabase(loadConfig());
  console.log(db.applied.length ? `Applied: ${db.applied.join(', ')}` : 'The database is up to date.');
  await db.stop();
}
