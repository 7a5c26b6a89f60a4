/**
 * Erasure on request: the person goes, the figures stay. The customer row, their cases, promises,
 * decisions, recoveries and survey scores are kept (so every count and score is unchanged), but
 * their name, emails, phones, case subjects, message bodies and free text become "[erased]",
 * their raw emails are emptied and their attachments deleted. Anything else that quoted them
 * (the audit trail, domain event payloads, notifications) has those words replaced. Recorded in
 * the audit trail and published as customer.erased, all in one transaction.
 */
import fs from 'node:fs/promises';
import { sql } from 'kysely';
import { inTransaction, type Ctx } from '../core/context';
import { Conflict, NotFound } from '../core/errors';
import { recordAudit } from '../audit';
import { publish } from '../events';
import { attachmentPath } from '../email';

export const ERASED = '[erased]';

export interface ErasureResult { customerId: number; erasedAt: Date; cases: number; attachmentsDeleted: number }

/** Regular expression source matching s literally. */
const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export async function eraseCustomer(ctx: Ctx, input: { customerId: number; reason: string }): Promise<ErasureResult> {
  const { result, orphans } = await inTransaction(ctx, async (tx) => {
    const customer = await tx.db.selectFrom('customers').selectAll().where('id', '=', input.customerId).forUpdate().executeTakeFirst();
    if (!customer) throw new NotFound('Customer', input.customerId);
    if (customer.erased_at) throw new Conflict(`Customer ${input.customerId} was already erased`);
    const now = tx.clock.now();
    const ids = [customer.id, ...(await tx.db.selectFrom('customers').select('id').where('merged_into_id', '=', customer.id).execute()).map((r) => r.id)];
    const people = await tx.db.selectFrom('customers').select(['name', 'given_name', 'family_name']).where('id', 'in', ids).execute();
    const emails = (await tx.db.selectFrom('customer_emails').select('email').where('customer_id', 'in', ids).execute()).map((r) => r.email);
    const phones = (await tx.db.selectFrom('customer_phones').select('phone').where('customer_id', 'in', ids).execute()).map((r) => r.phone);
    const cases = await tx.db.selectFrom('cases').select(['id', 'subject']).where('customer_id', 'in', ids).execute();
    const caseIds = cases.map((c) => c.id);
    const anyCase = caseIds.length ? caseIds : [-1];
    // Words that identify the person wherever they were quoted; short ones would erase other text.
    const words = [...new Set([...people.flatMap((p) => [p.name, p.given_name, p.family_name]), ...emails, ...phones, ...cases.map((c) => c.subject)]
      .filter((w): w is string => !!w && w.trim().length >= 3 && w !== ERASED))].sort((a, b) => b.length - a.length);
    const pattern = words.length ? words.map(literal).join('|') : null;
    const scrub = (column: string) => pattern ? sql.raw(`regexp_replace(${column}, ${sqlString(pattern)}, '${ERASED}', 'gi')`) : sql.raw(column);
    const scrubJson = (column: string) => pattern ? sql.raw(`regexp_replace(${column}::text, ${sqlString(jsonPattern(words))}, '${ERASED}', 'gi')::jsonb`) : sql.raw(column);

    await tx.db.updateTable('customers').set({ name: ERASED, title: null, given_name: null, family_name: null, notes: null, erased_at: now, updated_at: now })
      .where('id', 'in', ids).execute();
    await tx.db.deleteFrom('customer_emails').where('customer_id', 'in', ids).execute();
    await tx.db.deleteFrom('customer_phones').where('customer_id', 'in', ids).execute();
    await tx.db.updateTable('cases').set({ subject: ERASED }).where('id', 'in', anyCase).execute();
    await sql`UPDATE case_entries SET body = CASE WHEN body IS NULL THEN NULL ELSE ${ERASED} END, data = ${scrubJson('data')} WHERE case_id = ANY(${anyCase}::bigint[])`.execute(tx.db);
    await sql`UPDATE inbound_emails SET raw = convert_to(${ERASED}, 'UTF8'), envelope_from = NULL, envelope_to = '{}', raw_erased_at = ${now}
      WHERE case_id = ANY(${anyCase}::bigint[]) OR lower(envelope_from) = ANY(${emails.map((e) => e.toLowerCase())}::text[])`.execute(tx.db);
    await sql`UPDATE outbound_emails SET to_address = ${ERASED}, subject = ${ERASED}, text_body = ${ERASED}, html_body = ${ERASED}, merge = NULL
      WHERE case_id = ANY(${anyCase}::bigint[]) OR lower(to_address) = ANY(${emails.map((e) => e.toLowerCase())}::text[])`.execute(tx.db);
    await sql`UPDATE handovers SET note = ${ERASED}, decline_reason = CASE WHEN decline_reason IS NULL THEN NULL ELSE ${ERASED} END WHERE case_id = ANY(${anyCase}::bigint[])`.execute(tx.db);
    const commitmentIds = (await sql<{ id: number }>`UPDATE commitments SET text = ${ERASED} WHERE case_id = ANY(${anyCase}::bigint[]) OR customer_id = ANY(${ids}::bigint[]) RETURNING id`.execute(tx.db)).rows.map((r) => r.id);
    await sql`UPDATE commitment_renegotiations SET note = CASE WHEN note IS NULL THEN NULL ELSE ${ERASED} END WHERE commitment_id = ANY(${commitmentIds}::bigint[])`.execute(tx.db);
    const decisionIds = (await sql<{ id: number }>`UPDATE decisions SET reason = ${ERASED}, decline_reason = CASE WHEN decline_reason IS NULL THEN NULL ELSE ${ERASED} END
      WHERE case_id = ANY(${anyCase}::bigint[]) OR customer_id = ANY(${ids}::bigint[]) RETURNING id`.execute(tx.db)).rows.map((r) => r.id);
    const recoveryIds = (await sql<{ id: number }>`UPDATE recoveries SET note = CASE WHEN note IS NULL THEN NULL ELSE ${ERASED} END,
      apology_how = CASE WHEN apology_how IS NULL THEN NULL ELSE ${ERASED} END, fix_what = CASE WHEN fix_what IS NULL THEN NULL ELSE ${ERASED} END,
      surprise_what = CASE WHEN surprise_what IS NULL THEN NULL ELSE ${ERASED} END
      WHERE case_id = ANY(${anyCase}::bigint[]) OR customer_id = ANY(${ids}::bigint[]) RETURNING id`.execute(tx.db)).rows.map((r) => r.id);
    // Scores stay (they are the figures); what the person wrote goes.
    await sql`UPDATE survey_responses SET comment = CASE WHEN comment IS NULL THEN NULL ELSE ${ERASED} END, answers = ${scrubJson('answers')}
      WHERE customer_id = ANY(${ids}::bigint[])`.execute(tx.db);
    if (pattern) {
      await sql`UPDATE notifications SET message = ${scrub('message')} WHERE case_id = ANY(${anyCase}::bigint[])`.execute(tx.db);
      await sql`UPDATE domain_events SET payload = ${scrubJson('payload')} WHERE customer_id = ANY(${ids}::bigint[]) OR case_id = ANY(${anyCase}::bigint[])`.execute(tx.db);
      await sql`UPDATE audit_log SET before = ${scrubJson('before')}, after = ${scrubJson('after')}
        WHERE (entity = 'customer' AND entity_id = ANY(${ids}::bigint[])) OR (entity = 'case' AND entity_id = ANY(${anyCase}::bigint[]))
          OR (entity = 'commitment' AND entity_id = ANY(${commitmentIds}::bigint[])) OR (entity = 'decision' AND entity_id = ANY(${decisionIds}::bigint[]))
          OR (entity = 'recovery' AND entity_id = ANY(${recoveryIds}::bigint[]))
          OR (entity = 'handover' AND entity_id IN (SELECT id FROM handovers WHERE case_id = ANY(${anyCase}::bigint[])))`.execute(tx.db);
    }
    const gone = await tx.db.deleteFrom('attachments').where('case_id', 'in', anyCase).returning('sha256').execute();
    const shas = [...new Set(gone.map((g) => g.sha256))];
    // A file is shared by content: it goes only when nobody else's attachment points at it.
    const stillUsed = shas.length ? new Set((await tx.db.selectFrom('attachments').select('sha256').where('sha256', 'in', shas).execute()).map((r) => r.sha256)) : new Set<string>();
    await recordAudit(tx, 'customer', customer.id, 'erased', null, { reason: input.reason, cases: caseIds.length, mergedCustomers: ids.length - 1, attachments: gone.length });
    await publish(tx, 'customer.erased', { customerId: customer.id }, { customerId: customer.id, erasedAt: now.toISOString(), cases: caseIds.length });
    return {
      result: { customerId: customer.id, erasedAt: now, cases: caseIds.length, attachmentsDeleted: gone.length },
      orphans: shas.filter((s) => !stillUsed.has(s)),
    };
  });
  // Files go after the commit: a rolled-back erasure must not have lost them.
  for (const sha of orphans) await fs.rm(attachmentPath(sha), { force: true });
  return result;
}

function sqlString(s: string) {
  return `'${s.replace(/'/g, "''")}'`;
}

/** The words as they appear inside JSON text (escaped), for scrubbing jsonb as text. */
function jsonPattern(words: string[]) {
  return words.map((w) => literal(JSON.stringify(w).slice(1, -1))).join('|');
}
