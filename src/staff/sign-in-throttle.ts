/**
 * Sign-in throttling. Only failures count, per account email and per address (IP): a few
 * failures for one account, or a few dozen from one address, within the window refuse further
 * attempts with 429 until the oldest of them ages out. The counters are rows in PostgreSQL so
 * every app instance on the same database sees the same limit.
 *
 * An attempt first writes its failure rows provisionally and then counts the rows written
 * before it, so a burst of parallel guesses cannot all slip past the count; a successful
 * sign-in takes its rows back (and clears the account's count).
 */
import type { Ctx } from '../core/context';
import { TooManyRequests } from '../core/errors';

export const THROTTLE_WINDOW_MS = 15 * 60_000;
export const MAX_FAILURES_PER_ACCOUNT = 5;
export const MAX_FAILURES_PER_ADDRESS = 20;

export interface Attempt {
  ids: number[];
  emailKey: string;
}

export async function claimSignInAttempt(ctx: Ctx, email: string, ip: string | undefined): Promise<Attempt> {
  const now = ctx.clock.now();
  const since = new Date(now.getTime() - THROTTLE_WINDOW_MS);
  const emailKey = `email:${email.toLowerCase()}`;
  const limits = new Map([[emailKey, MAX_FAILURES_PER_ACCOUNT]]);
  if (ip) limits.set(`ip:${ip}`, MAX_FAILURES_PER_ADDRESS);
  await ctx.db.deleteFrom('sign_in_failures').where('failed_at', '<=', since).execute();
  const rows = await ctx.db.insertInto('sign_in_failures')
    .values([...limits.keys()].map((key) => ({ key, failed_at: now })))
    .returning(['id', 'key'])
    .execute();
  const ids = rows.map((r) => r.id);
  let retryAt: Date | null = null;
  for (const row of rows) {
    const limit = limits.get(row.key)!;
    // The limit-th most recent failure before this attempt: once it ages out, there is room again.
    const blocking = await ctx.db.selectFrom('sign_in_failures')
      .select('failed_at')
      .where('key', '=', row.key)
      .where('failed_at', '>', since)
      .where('id', '<', row.id)
      .orderBy('failed_at', 'desc')
      .offset(limit - 1)
      .limit(1)
      .executeTakeFirst();
    if (blocking) {
      const at = new Date(new Date(blocking.failed_at).getTime() + THROTTLE_WINDOW_MS);
      if (!retryAt || at > retryAt) retryAt = at;
    }
  }
  if (retryAt) {
    // A refused attempt is not a guess: it does not extend the lock.
    await ctx.db.deleteFrom('sign_in_failures').where('id', 'in', ids).execute();
    throw new TooManyRequests('Too many failed sign-in attempts; wait before trying again', Math.max(1, Math.ceil((retryAt.getTime() - now.getTime()) / 1000)));
  }
  return { ids, emailKey };
}

/** The attempt succeeded: it was not a failure, and the account starts afresh. */
export async function signInSucceeded(ctx: Ctx, attempt: Attempt) {
  await ctx.db.deleteFrom('sign_in_failures')
    .where((eb) => eb.or([eb('id', 'in', attempt.ids), eb('key', '=', attempt.emailKey)]))
    .execute();
}
