import { z } from 'zod';
import { loadConfig } from '../core/config';
import { openDatabase } from '../core/db/open';
import { connect } from '../core/db/connect';
import { systemClock } from '../core/clock';
import { DEFAULT_RUNTIME } from '../core/context';
import { createStaff, passwordProblem } from '../staff';
import { CliError, parseFlags } from './args';

const HELP = `kept admin create — create an administrator

Options:
  --email <address>     their sign-in email (required)
  --name <name>         their name (default: Administrator)
  --password <secret>   at least 12 characters, not a common password nor the email or name
                        (default: read from KEPT_ADMIN_PASSWORD)`;

const Flags = z.object({
  email: z.email(),
  name: z.string().min(1).max(200).default('Administrator'),
  password: z.string().max(200),
}).superRefine((f, ctx) => {
  const problem = passwordProblem(f.password, f);
  if (problem) ctx.addIssue({ code: 'custom', path: ['password'], message: problem.message });
});

export async function adminCommand(args: string[]) {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h' || !sub) {
    console.log(HELP);
    return;
  }
  if (sub !== 'create') throw new CliError(`Unknown subcommand "admin ${sub}".\n\n${HELP}`);
  const withEnv = process.env.KEPT_ADMIN_PASSWORD && !rest.includes('--password') ? [...rest, '--password', process.env.KEPT_ADMIN_PASSWORD] : rest;
  const flags = parseFlags(withEnv, { email: { type: 'string' }, name: { type: 'string' }, password: { type: 'string' } }, Flags, HELP);
  if (!flags) return;
  const database = await openDatabase(loadConfig());
  const { db } = connect(database.url, 2);
  try {
    const admin = await createStaff({ db, clock: systemClock, actor: null, config: DEFAULT_RUNTIME }, { name: flags.name, email: flags.email, role: 'admin', password: flags.password });
    console.log(`Created administrator ${admin.name} <${admin.email}> (id ${admin.id}).`);
  } catch (e) {
    throw new CliError(`Could not create the administrator: ${(e as Error).message}`);
  } finally {
    await db.destroy();
    await database.stop();
  }
}
