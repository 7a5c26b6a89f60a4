/**
 * Retention per data kind: raw emails (the bytes as received, with every header and quoted
 * history) are emptied once older than KEPT_RETAIN_RAW_EMAIL_MONTHS; the case keeps the message
 * as filed on its timeline. Unset: kept forever.
 */
import { sql } from 'kysely';
import type { Ctx } from '../core/context';
import { ERASED } from './erase';

const BATCH = 500;

export async function expireRawEmails(ctx: Ctx): Promise<number> {
  const months = ctx.config.retention?.rawEmailMonths;
  if (!months) return 0;
  const now = ctx.clock.now();
  const cutoff = new Date(now);
  cutoff.setUTCMonth(cutoff.getUTCMonth() - months);
  const r = await sql`UPDATE inbound_emails SET raw = convert_to(${ERASED}, 'UTF8'), raw_erased_at = ${now}
    WHERE id IN (SELECT id FROM inbound_emails WHERE raw_erased_at IS NULL AND received_at < ${cutoff} AND status <> 'received'
      ORDER BY received_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)`.execute(ctx.db);
  return Number(r.numAffectedRows ?? 0);
}
