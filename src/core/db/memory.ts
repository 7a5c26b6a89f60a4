import { sql } from 'kysely';
import type { Db } from './connect';

/**
 * Room, for the rest of the transaction, to sort or hash a few hundred thousand rows in memory:
 * with PostgreSQL's default 4 MB they spill to disk (a survey send's 100,000 invitations matched to
 * their emails; a million answers grouped into their patterns, whose number the planner cannot know).
 * SET LOCAL: it ends with the transaction, so call it inside one.
 */
export async function roomForBigSorts(db: Db): Promise<void> {
  await sql`SET LOCAL work_mem = '64MB'`.execute(db);
}
