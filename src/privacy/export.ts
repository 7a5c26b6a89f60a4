/**
 * A customer's export: everything Kept holds about them in one tar archive — their profile,
 * cases with every timeline entry, hand-overs, promises, goodwill decisions, recoveries, survey
 * answers, the emails they sent (raw) and we sent them, their attachments, and the audit trail
 * about all of it. Only rows tied to them (or to customers merged into them) are read, so
 * nothing of anyone else's is in it. Survey links' token hashes are never exported.
 */
import fs from 'node:fs/promises';
import tar from 'tar-stream';
import { sql } from 'kysely';
import { inTransaction, type Ctx } from '../core/context';
import { NotFound } from '../core/errors';
import { recordAudit } from '../audit';
import { attachmentPath } from '../email';

type Rows = Record<string, unknown>[];

export async function exportCustomer(ctx: Ctx, customerId: number): Promise<{ filename: string; archive: Buffer }> {
  const data = await inTransaction(ctx, async (tx) => {
    const q = async (text: ReturnType<typeof sql>) => (await text.execute(tx.db)).rows as Rows;
    const customer = (await q(sql`SELECT * FROM customers WHERE id = ${customerId}`))[0];
    if (!customer) throw new NotFound('Customer', customerId);
    const ids = [customerId, ...(await q(sql`SELECT id FROM customers WHERE merged_into_id = ${customerId}`)).map((r) => Number(r.id))];
    const cases = await q(sql`SELECT * FROM cases WHERE customer_id = ANY(${ids}::bigint[]) ORDER BY id`);
    const caseIds = cases.map((c) => Number(c.id));
    const commitments = await q(sql`SELECT * FROM commitments WHERE case_id = ANY(${caseIds}::bigint[]) OR customer_id = ANY(${ids}::bigint[]) ORDER BY id`);
    const decisions = await q(sql`SELECT * FROM decisions WHERE case_id = ANY(${caseIds}::bigint[]) OR customer_id = ANY(${ids}::bigint[]) ORDER BY id`);
    const recoveries = await q(sql`SELECT * FROM recoveries WHERE case_id = ANY(${caseIds}::bigint[]) OR customer_id = ANY(${ids}::bigint[]) ORDER BY id`);
    const handovers = await q(sql`SELECT * FROM handovers WHERE case_id = ANY(${caseIds}::bigint[]) ORDER BY id`);
    const ids2 = (rows: Rows) => rows.map((r) => Number(r.id));
    const out = {
      customer,
      emails: await q(sql`SELECT email FROM customer_emails WHERE customer_id = ANY(${ids}::bigint[]) ORDER BY email`),
      phones: await q(sql`SELECT phone FROM customer_phones WHERE customer_id = ANY(${ids}::bigint[]) ORDER BY phone`),
      mergedCustomers: await q(sql`SELECT * FROM customers WHERE merged_into_id = ${customerId} ORDER BY id`),
      cases,
      timeline: await q(sql`SELECT e.*, s.name AS author_name FROM case_entries e LEFT JOIN staff s ON s.id = e.author_id WHERE e.case_id = ANY(${caseIds}::bigint[]) ORDER BY e.case_id, e.id`),
      handovers,
      commitments,
      commitmentRenegotiations: await q(sql`SELECT * FROM commitment_renegotiations WHERE commitment_id = ANY(${ids2(commitments)}::bigint[]) ORDER BY id`),
      decisions,
      recoveries,
      surveyAnswers: await q(sql`SELECT * FROM survey_responses WHERE customer_id = ANY(${ids}::bigint[]) ORDER BY id`),
      surveyInvitations: await q(sql`SELECT id, survey_id, case_id, channel, sent_at, expires_at, opened_at FROM survey_invitations WHERE customer_id = ANY(${ids}::bigint[]) ORDER BY id`),
      emailsSent: await q(sql`SELECT id, case_id, kind, to_address, subject, text_body, status, created_at, sent_at FROM outbound_emails WHERE case_id = ANY(${caseIds}::bigint[]) ORDER BY id`),
      emailsReceived: await q(sql`SELECT id, source, envelope_from, received_at, status, case_id, raw_erased_at FROM inbound_emails WHERE case_id = ANY(${caseIds}::bigint[]) ORDER BY id`),
      attachments: await q(sql`SELECT * FROM attachments WHERE case_id = ANY(${caseIds}::bigint[]) ORDER BY id`),
      audit: await q(sql`SELECT a.*, s.name AS actor_name FROM audit_log a LEFT JOIN staff s ON s.id = a.actor_id
        WHERE (a.entity = 'customer' AND a.entity_id = ANY(${ids}::bigint[])) OR (a.entity = 'case' AND a.entity_id = ANY(${caseIds}::bigint[]))
          OR (a.entity = 'commitment' AND a.entity_id = ANY(${ids2(commitments)}::bigint[])) OR (a.entity = 'decision' AND a.entity_id = ANY(${ids2(decisions)}::bigint[]))
          OR (a.entity = 'recovery' AND a.entity_id = ANY(${ids2(recoveries)}::bigint[])) OR (a.entity = 'handover' AND a.entity_id = ANY(${ids2(handovers)}::bigint[]))
        ORDER BY a.id`),
    };
    const raw = await q(sql`SELECT id, raw FROM inbound_emails WHERE case_id = ANY(${caseIds}::bigint[]) AND raw_erased_at IS NULL ORDER BY id`);
    await recordAudit(tx, 'customer', customerId, 'exported', null, { cases: caseIds.length });
    return { out, raw };
  });

  const pack = tar.pack();
  const parts: Buffer[] = [];
  pack.on('data', (c: unknown) => parts.push(c as Buffer));
  const ended = new Promise<void>((resolve, reject) => { pack.on('end', resolve); pack.on('error', reject); });
  const add = (name: string, body: Buffer) => new Promise<void>((resolve, reject) => pack.entry({ name, size: body.length }, body, (e) => (e ? reject(e) : resolve())));
  const prefix = `customer-${customerId}`;
  await add(`${prefix}/export.json`, Buffer.from(JSON.stringify({ exportedAt: ctx.clock.now().toISOString(), ...data.out }, null, 2)));
  for (const r of data.raw) await add(`${prefix}/emails/${String(r.id)}.eml`, r.raw as Buffer);
  for (const a of data.out.attachments) {
    const body = await fs.readFile(attachmentPath(String(a.sha256))).catch(() => null);
    if (body) await add(`${prefix}/attachments/${String(a.id)}-${String(a.filename).replace(/[/\\]/g, '_')}`, body);
  }
  pack.finalize();
  await ended;
  return { filename: `${prefix}-export.tar`, archive: Buffer.concat(parts) };
}
