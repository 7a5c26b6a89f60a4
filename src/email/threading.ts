/**
 * Threading: a message belongs to an existing case when it answers one of the case's messages
 * (In-Reply-To / References), or when its subject carries the case reference [K-123] and it
 * comes from that case's customer. Anything else opens a new case.
 */
import { sql } from 'kysely';
import type { ParsedMail } from 'mailparser';
import type { Ctx } from '../core/context';

const REFERENCE = /\[K-(\d{1,15})\]/i;

function referencedIds(mail: ParsedMail): string[] {
  const refs = mail.references === undefined ? [] : Array.isArray(mail.references) ? mail.references : [mail.references];
  const all = [...(mail.inReplyTo ? [mail.inReplyTo] : []), ...refs];
  return [...new Set(all.flatMap((r) => r.split(/\s+/)).filter((r) => r.startsWith('<')))].slice(0, 100);
}

export async function caseForMessage(ctx: Ctx, mail: ParsedMail, customerId: number | null): Promise<number | null> {
  const ids = referencedIds(mail);
  if (ids.length) {
    const { rows } = await sql<{ case_id: number }>`
      SELECT case_id FROM outbound_emails WHERE message_id = ANY(${ids})
      UNION ALL
      SELECT case_id FROM inbound_emails WHERE message_id = ANY(${ids}) AND case_id IS NOT NULL
      LIMIT 1`.execute(ctx.db);
    if (rows[0]) return rows[0].case_id;
  }
  const ref = REFERENCE.exec(mail.subject ?? '');
  if (ref && customerId) {
    const c = await ctx.db.selectFrom('cases').select('id').where('id', '=', Number(ref[1])).where('customer_id', '=', customerId).executeTakeFirst();
    if (c) return c.id;
  }
  return null;
}
