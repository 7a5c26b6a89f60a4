import type { Clock } from './clock';
import type { Db } from './db/connect';
import type { Role } from '../staff/schema';

/** Who is acting. Null actor means the system itself (timers, migrations, email robots). */
export interface Actor {
  id: number;
  name: string;
  role: Role;
  teamId: number | null;
  departmentId: number | null;
}

/** How this instance was started (from the environment), as services need it: carried, never module state. */
export interface RuntimeConfig {
  /** Where customers reach Kept (links in mail). */
  publicUrl: string;
  /** Webhook receivers on private, loopback or link-local addresses are allowed (KEPT_WEBHOOKS_ALLOW_PRIVATE). */
  webhooksAllowPrivate: boolean;
  /** Scheduled backups (KEPT_BACKUP_DIR, KEPT_BACKUP_EVERY, KEPT_BACKUP_KEEP); absent: off. */
  /** Retention rules per data kind (KEPT_RETAIN_RAW_EMAIL_MONTHS); absent: kept forever. */
  retention?: { rawEmailMonths?: number };
  backup?: { databaseUrl: string; dir: string; everyMs: number; keep: number; attachmentsDir: string; engine: 'embedded' | 'server' };
}

export const DEFAULT_RUNTIME: RuntimeConfig = { publicUrl: 'http://localhost:3000', webhooksAllowPrivate: false };

/** Every service call receives the database (or the transaction it runs in), the clock, the actor and the configuration. */
export interface Ctx {
  db: Db;
  clock: Clock;
  actor: Actor | null;
  config: RuntimeConfig;
}

/** Runs fn in one transaction: a command either happens whole or not at all. */
export async function inTransaction<T>(ctx: Ctx, fn: (tx: Ctx) => Promise<T>): Promise<T> {
  if (ctx.db.isTransaction) return fn(ctx);
  return ctx.db.transaction().execute((trx) => fn({ ...ctx, db: trx }));
}

export function actorId(ctx: Ctx): number | null {
  return ctx.actor?.id ?? null;
}
