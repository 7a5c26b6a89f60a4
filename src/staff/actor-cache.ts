/**
 * Who is behind a token, remembered for at most one second, so a burst of requests with the same
 * session or API token does not pay an extra round trip to PostgreSQL each.
 *
 * Revocation stays immediate on this instance (and on any other Kept in this process): every
 * change to credentials or staff (sign-out, token revoked, password changed, person updated or
 * deactivated) bumps `credentialsChanged`, after its transaction has committed, and nothing
 * remembered before that is used again. Another instance on the same database keeps using what
 * it remembered for at most that second. The second is counted on the wall clock and on the
 * service clock alike, so a test that moves its clock past a session's expiry sees it expire.
 */
import type { Actor, Ctx } from '../core/context';

const TTL_MS = 1000;
const MAX_ENTRIES = 10_000;
let generation = 0;

/** Call after a committed change to staff, sessions or API tokens. */
export function credentialsChanged(): void {
  generation += 1;
}

interface Remembered { actor: Actor | null; wallAt: number; clockAt: number; generation: number }

export function rememberActors(resolve: (ctx: Ctx, token: string) => Promise<Actor | null>) {
  const known = new Map<string, Remembered>();
  return async (ctx: Ctx, token: string): Promise<Actor | null> => {
    const wall = Date.now();
    const clock = ctx.clock.now().getTime();
    const hit = known.get(token);
    if (hit && hit.generation === generation && wall - hit.wallAt < TTL_MS && clock >= hit.clockAt && clock - hit.clockAt < TTL_MS) return hit.actor;
    const seen = generation; // a change while we read must not be hidden by what we read
    const actor = await resolve(ctx, token);
    if (!actor) {
      known.delete(token); // unknown tokens are not remembered: they would fill the map
      return null;
    }
    if (known.size >= MAX_ENTRIES) known.clear();
    known.set(token, { actor, wallAt: wall, clockAt: clock, generation: seen });
    return actor;
  };
}
