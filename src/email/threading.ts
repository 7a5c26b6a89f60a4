/**
 * Threading: a message joins an existing case only with proof that its sender is part of that
 * case's conversation. A From header proves nothing (anyone can write one) and case numbers are
 * sequential, so "[K-123]" alone never suffices. Proofs, strongest first:
 * - it answers (In-Reply-To / References) one of our Message-IDs, which are random;
 * - it answers the case customer's own earlier message, and comes from that customer;
 * - it was written to the case's reply address, support+k123.<secret>@…;
 * - its subject carries the case's secret, [K-123-<secret>];
 * - a bare [K-123] (older mail) from the case's customer, whose domain a trusted receiving
 *   server vouches for (DKIM/SPF/DMARC pass in Authentication-Results).
 * Anything else opens a new case; a case reference without proof is reported as suspected.
 */
import { sql } from 'kysely';
import type { ParsedMail } from 'mailparser';
import type { Ctx } from '../core/context';
import { addressReference, caseReference, isCaseSecret, subjectReferences } from '../outbox';
import { domainAuthenticated } from './authentication';

export interface Threading {
  caseId: number | null;
  /** Why the message belongs to the case. */
  proof: string | null;
  /** A case the message names without proof, e.g. "K-12". */
  suspected: string | null;
}

export function referencedIds(mail: ParsedMail): string[] {
  const refs = mail.references === undefined ? [] : Array.isArray(mail.references) ? mail.references : [mail.references];
  const all = [...(mail.inReplyTo ? [mail.inReplyTo] : []), ...refs];
  return [...new Set(all.flatMap((r) => r.split(/\s+/)).filter((r) => r.startsWith('<')))].slice(0, 100);
}

/** Every address the message was delivered or written to: where a reply-address token shows. */
export function recipientsOf(mail: ParsedMail, envelopeTo: string[]): string[] {
  const listed = [mail.to, mail.cc].flatMap((a) => (a === undefined ? [] : Array.isArray(a) ? a : [a]))
    .flatMap((a) => a.value.map((v) => v.address ?? ''));
  const delivered = mail.headerLines.filter((h) => h.key === 'delivered-to' || h.key === 'x-original-to').map((h) => h.line);
  return [...envelopeTo, ...listed, ...delivered].slice(0, 100);
}

export async function caseForMessage(
  ctx: Ctx, mail: ParsedMail, sender: { address: string; customerId: number | null; envelopeTo: string[] },
): Promise<Threading> {
  const { customerId } = sender;
  const ids = referencedIds(mail);
  if (ids.length) {
    const ours = await ctx.db.selectFrom('outbound_emails').select('case_id').where('message_id', 'in', ids)
      .where('case_id', 'is not', null).limit(1).executeTakeFirst();
    if (ours?.case_id) return { caseId: ours.case_id, proof: 'answers our message', suspected: null };
    if (customerId) {
      const { rows } = await sql<{ case_id: number }>`
        SELECT i.case_id FROM inbound_emails i JOIN cases c ON c.id = i.case_id
        WHERE i.message_id = ANY(${ids}) AND c.customer_id = ${customerId} LIMIT 1`.execute(ctx.db);
      if (rows[0]) return { caseId: rows[0].case_id, proof: "answers the customer's earlier message", suspected: null };
    }
  }

  const named: number[] = [];
  for (const address of recipientsOf(mail, sender.envelopeTo)) {
    const ref = addressReference(address);
    if (!ref) continue;
    if (await isCaseSecret(ctx, ref.caseId, ref.secret)) return { caseId: ref.caseId, proof: "written to the case's reply address", suspected: null };
    named.push(ref.caseId);
  }
  const refs = subjectReferences(mail.subject ?? '').slice(0, 5);
  for (const ref of refs) {
    if (ref.secret && (await isCaseSecret(ctx, ref.caseId, ref.secret))) return { caseId: ref.caseId, proof: "subject carries the case's secret", suspected: null };
  }
  for (const ref of refs) {
    named.push(ref.caseId);
    if (!customerId || !Number.isSafeInteger(ref.caseId)) continue;
    const c = await ctx.db.selectFrom('cases').select('id').where('id', '=', ref.caseId).where('customer_id', '=', customerId).executeTakeFirst();
    const vouched = c ? domainAuthenticated(mail, sender.address.split('@')[1]!) : null;
    if (c && vouched) return { caseId: c.id, proof: `case reference from the case's customer, ${vouched}`, suspected: null };
  }
  return { caseId: null, proof: null, suspected: named.length ? caseReference(named[0]!) : null };
}
