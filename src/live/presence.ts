/**
 * Collision detection: who else has this case open, and who is typing on it. A browser showing a
 * case announces itself every 20 seconds (and when typing starts or it leaves); the announcement
 * goes through PostgreSQL NOTIFY on the live channel, so every app instance's browsers hear it.
 * Nothing is stored: presence older than a minute is simply gone.
 */
import { sql } from 'kysely';
import type { Ctx } from '../core/context';
import { staffActor } from '../core/access';
import { getCase } from '../cases';

export type PresenceState = 'viewing' | 'typing' | 'left';

export async function announcePresence(ctx: Ctx, caseId: number, state: PresenceState): Promise<void> {
  const me = staffActor(ctx);
  await getCase(ctx, caseId); // an unknown case is a 404, not an announcement
  const payload = JSON.stringify({ type: 'presence', caseId, staffId: me.id, name: me.name, state });
  await sql`SELECT pg_notify('kept_events', ${payload})`.execute(ctx.db);
}
