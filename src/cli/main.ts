/** The `kept` command: start, migrate, admin create, seed --demo. */
import { startCommand } from './start';
import { migrateCommand } from './migrate';
import { adminCommand } from './admin';
import { seedCommand } from './seed';
import { CliError } from './args';
import { ConfigError } from '../core/config';
import { backupCommand, moveCommand, restoreCommand } from './backup';
import { importCommand } from './import';

const HELP = `kept — the help desk that keeps its promises

Usage: kept <command> [options]

Commands:
  start          run the server and web UI (embedded PostgreSQL unless DATABASE_URL is set)
  migrate        apply database migrations and exit
  admin create   create an administrator who can sign in
  seed --demo    fill the database with a realistic demo organisation
  backup         a consistent online backup (database and attachments) to a file
  restore FILE   restore a backup into an empty database and verify it
  move --to URL  move the embedded database to a PostgreSQL server
  import zendesk DIR   bring customers and tickets from a Zendesk export
  import csv FILE      bring them from any other help desk (one CSV row per message)

Run "kept <command> --help" for a command's options.
Environment: PORT, HOST, DATABASE_URL, KEPT_DATA_DIR, LOG_LEVEL (see README).`;

const COMMANDS: Record<string, (args: string[]) => Promise<void>> = {
  start: startCommand,
  migrate: migrateCommand,
  admin: adminCommand,
  seed: seedCommand,
  backup: backupCommand,
  restore: restoreCommand,
  move: moveCommand,
  import: importCommand,
};

async function main(argv: string[]) {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(HELP);
    return;
  }
  const command = COMMANDS[name];
  if (!command) throw new CliError(`Unknown command "${name}".\n\n${HELP}`);
  await command(rest);
}

main(process.argv.slice(2)).catch((e) => {
  if (e instanceof CliError || e instanceof ConfigError) { // the operator's mistake: the words, not a stack trace
    console.error(e.message);
    process.exit(2);
  }
  console.error(e);
  process.exit(1);
});
