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

/** Every service call receives the database (or the transaction it runs in), the clock and the actor. */
export interface Ctx {
  db: Db;
  clock: Clock;
  actor: Actor | null;
}

/** Runs fn in one transaction: a command either happens whole or not at all. */
export async function inTransaction<T>(ctx: Ctx, fn: (tx: Ctx) => Promise<T>): Promise<T> {
  if (ctx.db.isTransaction) return fn(ctx);
  return ctx.db.transaction().execute((trx) => fn({ ...ctx, db: trx }));
}

export function actorId(ctx: Ctx): number | null {
  return ctx.actor?.id ?? null;
}
