/** `kept import zendesk DIR` and `kept import csv FILE`: see src/imports/zendesk.ts and csv.ts. */
import path from 'node:path';
import { z } from 'zod';
import { loadConfig } from '../core/config';
import { migrate } from '../core/db/migrate';
import { openConfiguredDatabase } from '../backup/source';
import { progressBar } from '../backup/progress';
import { importZendesk } from '../imports/zendesk';
import { CSV_COLUMNS, CSV_ENCODINGS, importCsv, UnreadableCsv } from '../imports/csv';
import { CliError, parseFlags } from './args';

const HELP = `kept import zendesk DIR — bring customers and tickets from a Zendesk export
kept import csv FILE    — bring them from any other help desk, one CSV row per message

DIR holds the JSON pages of Zendesk's incremental export API: users*.json, organizations*.json,
groups*.json, tickets*.json, ticket_events*.json (include=comment_events) and
satisfaction_ratings*.json. Run it again after a newer export: only what is new is added.

Options:
  --owner EMAIL   owner of imported open cases whose Zendesk assignee is not a Kept staff member
                  (default: the first administrator)
  --encoding ENC  (csv) utf-8 (default), latin1, windows-1252 or auto; bytes the encoding
                  cannot hold stop the import before anything is written

CSV columns: ${CSV_COLUMNS.join(', ')} (see README, "Arriving from another help desk").`;

export async function importCommand(args: string[]) {
  const [source, dir, ...rest] = args;
  if (source === '--help' || source === '-h' || !source) {
    console.log(HELP);
    return;
  }
  if (source === 'csv') return importCsvCommand(dir, rest);
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

async function importCsvCommand(file: string | undefined, rest: string[]) {
  if (file === '--help' || file === '-h') {
    console.log(HELP);
    return;
  }
  if (!file || file.startsWith('-')) throw new CliError(`Name the CSV file.\n\n${HELP}`);
  const flags = parseFlags(rest, { owner: { type: 'string' }, encoding: { type: 'string' } },
    z.object({ owner: z.string().email().max(320).optional(), encoding: z.enum(CSV_ENCODINGS).optional() }), HELP);
  if (!flags) return;
  const config = loadConfig();
  const db = await openConfiguredDatabase(config);
  try {
    await migrate(db.url);
    const report = await importCsv(db.url, path.resolve(file), { ownerEmail: flags.owner, encoding: flags.encoding, onProgress: progressBar('import') });
    console.log(`Imported ${file} (${report.encoding}, ${report.rows} rows) in ${report.seconds.toFixed(1)} s:`);
    console.log(`  tickets:   ${report.tickets.imported} imported, ${report.tickets.alreadyImported} already there`);
    console.log(`  messages:  ${report.messages.imported} imported, ${report.messages.alreadyImported} already there`);
    console.log(`  customers: ${report.customers.created} created, ${report.customers.matched} matched`);
    console.log(`  rejected:  ${report.rejected.length} rows`);
    for (const r of report.rejected.slice(0, 100)) console.log(`    line ${r.line}${r.ticket ? ` (ticket ${r.ticket})` : ''}: ${r.reason}`);
    if (report.rejected.length > 100) console.log(`    … and ${report.rejected.length - 100} more`);
    if (report.ignoredColumns.length) console.log(`  ignored columns: ${report.ignoredColumns.join(', ')}`);
  } catch (e) {
    if (e instanceof UnreadableCsv) throw new CliError(`Nothing was imported: ${e.message}`);
    if (e instanceof Error && /^(No staff member|Create an administrator)/.test(e.message)) throw new CliError(e.message);
    throw e;
  } finally {
    await db.stop();
  }
}
