/** `kept import zendesk DIR`: see src/imports/zendesk.ts. */
import path from 'node:path';
import { z } from 'zod';
import { loadConfig } from '../core/config';
import { migrate } from '../core/db/migrate';
import { openConfiguredDatabase } from '../backup/source';
import { progressBar } from '../backup/progress';
import { importZendesk } from '../imports/zendesk';
import { CliError, parseFlags } from './args';

const HELP = `kept import zendesk DIR — bring customers and tickets from a Zendesk export

DIR holds the JSON pages of Zendesk's incremental export API: users*.json, organizations*.json,
groups*.json, tickets*.json, ticket_events*.json (include=comment_events) and
satisfaction_ratings*.json. Run it again after a newer export: only what is new is added.

Options:
  --owner EMAIL   owner of imported open cases whose Zendesk assignee is not a Kept staff member
                  (default: the first administrator)`;

export async function importCommand(args: string[]) {
  const [source, dir, ...rest] = args;
  if (source === '--help' || source === '-h' || !source) {
    console.log(HELP);
    return;
  }
  if (source !== 'zendesk') throw new CliError(`Unknown import source "${source}".\n\n${HELP}`);
  if (!dir || dir.startsWith('-')) throw new CliError(`Name the export folder.\n\n${HELP}`);
  const flags = parseFlags(rest, { owner: { type: 'string' } }, z.object({ owner: z.string().email().max(320).optional() }), HELP);
  if (!flags) return;
  const config = loadConfig();
  const db = await openConfiguredDatabase(config);
  try {
    await migrate(db.url);
    const report = await importZendesk(db.url, path.resolve(dir), { ownerEmail: flags.owner, onProgress: progressBar('import') });
    console.log(`Imported from Zendesk in ${report.seconds.toFixed(1)} s:`);
    console.log(`  tickets:   ${report.tickets.imported} imported, ${report.tickets.alreadyImported} already there`);
    console.log(`  comments:  ${report.comments}`);
    console.log(`  customers: ${report.customers.created} created, ${report.customers.matched} matched by email`);
    console.log(`  ratings:   ${report.ratings.imported} imported, ${report.ratings.alreadyImported} already there, ${report.ratings.withoutTicket} for unknown tickets`);
    if (report.rejected.length) {
      console.log(`  rejected:  ${report.rejected.length} records`);
      for (const r of report.rejected.slice(0, 20)) console.log(`    ${r.file} #${r.index}: ${r.reason}`);
    }
  } catch (e) {
    if (e instanceof Error && /^(No staff member|Create an administrator)/.test(e.message)) throw new CliError(e.message);
    throw e;
  } finally {
    await db.stop();
  }
}
