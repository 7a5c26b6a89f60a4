/**
 * Partial answers are saved as the customer gives them, a few per minute at most from a person.
 * A script hammering one link is held off with 429 so it cannot churn the response (and the
 * recoveries it opens). Counted per invitation (by its token's hash, once the token is known to be
 * real), so made-up tokens fill nothing; kept in memory, so with several server processes each
 * allows its own share.
 */
import type { Ctx } from '../core/context';
import { DomainError } from '../core/errors';
import { MINUTE } from '../core/clock';

export const SAVES_PER_MINUTE = 30;
const MAX_TRACKED = 10_000;

const recent = new Map<string, number[]>();

export class TooManySaves extends DomainError {
  constructor() {
    super(429, 'Too many requests', `At most ${SAVES_PER_MINUTE} saves a minute for one survey link; try again in a minute`);
  }
}

/** Counts one save for this invitation, or refuses it if the last minute already had its share. */
export function countSave(ctx: Ctx, invitation: { token_hash: Buffer }) {
  const key = invitation.token_hash.toString('hex');
  const now = ctx.clock.now().getTime();
  const times = (recent.get(key) ?? []).filter((t) => t > now - MINUTE && t <= now);
  if (times.length >= SAVES_PER_MINUTE) throw new TooManySaves();
  times.push(now);
  recent.delete(key); // re-inserted last: the Map's order is oldest-used first
  recent.set(key, times);
  if (recent.size > MAX_TRACKED) recent.delete(recent.keys().next().value!);
}
