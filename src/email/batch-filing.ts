/**
 * Filing a batch of new conversations together. Most stored mail is a customer writing about
 * something new: no answer to our mail, no case reference, no attachment, not written by a
 * machine. Filed one by one, each such message cost about thirty statements (the case, its
 * commitments, three timeline entries, the acknowledgement, audit, events, the inbound row);
 * filed together, the batch costs a handful: settings, the standard and the threading and
 * customer lookups are read once, and the cases, commitments, entries, acknowledgements, audit
 * rows, events and inbound rows are each written in one multi-row statement.
 *
 * The rows written are the very rows openCase + addMessage + the acknowledgement write for such a
 * message (src/cases cannot be changed from here, so the batch SQL for those tables lives in this
 * file; keep the two in step). Anything that could make the result depend on another message of
 * the same batch, or on a rule the batch does not cover (routing to an inbound team, threading,
 * attachments, automatic mail, a suspicious sender), goes the one-by-one way instead, and so does
 * the whole batch if any of it fails, so a poison message is still quarantined alone.
 */
import { sql } from 'kysely';
import type { ParsedMail } from 'mailparser';
import type { Ctx } from '../core/context';
import { writeLater } from '../core/db/pipeline';
import { caseColumns } from '../cases';
import { formOfAddress } from '../customers';
import { parseDisplayName } from '../customers/names';
import { caseFacts, publishAll, type DomainEvent } from '../events';
import type { OrganisationSettings } from '../org';
import { addressReference, queueEmails, subjectReferences, withoutCaseReference } from '../outbox';
import { expectationFor } from '../standards';
import { automaticReason } from './automatic';
import { acknowledgementText, messageData, type StoredRow } from './message';
import { senderOf } from './sender';
import { recipientsOf, referencedIds } from './threading';

/** Messages filed together, and batches that had to go one by one after all (for tests and diagnosis). */
export const filingTogether = { messages: 0, fellBack: 0 };

export interface NewConversation {
  row: StoredRow;
  mail: ParsedMail;
  sender: { address: string; name: string };
  known: { id: number; mergedIntoId: number | null; salutation: string } | null;
}

/**
 * The messages of a batch that certainly open a new case and depend on nothing else in the
 * batch. Conservative: any doubt sends a message the one-by-one way, which decides exactly.
 */
export async function newConversations(tx: Ctx, settings: OrganisationSettings, batch: { row: StoredRow; mail: ParsedMail }[]): Promise<NewConversation[]> {
  // Routing to an inbound team depends on the cases routed before: one by one.
  if (settings.inboundTeamId) return [];
  const inBatch = new Set(batch.map((b) => b.mail.messageId).filter(Boolean));
  // A message another of the batch answers: filed one by one, in order, the answer finds its case.
  const answeredInBatch = new Set(batch.flatMap((b) => referencedIds(b.mail)).filter((r) => inBatch.has(r)));
  const senders = new Map<string, number>();
  const plain: { row: StoredRow; mail: ParsedMail; sender: { address: string; name: string }; refs: string[] }[] = [];
  for (const { row, mail } of batch) {
    let sender: { address: string; name: string };
    try {
      sender = senderOf(mail, row.envelope_from);
    } catch {
      continue; // quarantined with its reason (or ignored as machine mail) by the one-by-one way
    }
    // Every message counts here, filed together or not: the first of a sender's messages makes the customer.
    senders.set(sender.address, (senders.get(sender.address) ?? 0) + 1);
    if (mail.attachments.length || automaticReason(mail, row.envelope_from)) continue;
    const refs = referencedIds(mail);
    if (refs.some((r) => inBatch.has(r)) || (mail.messageId && answeredInBatch.has(mail.messageId))) continue;
    if (recipientsOf(mail, row.envelope_to).some((a) => addressReference(a)) || subjectReferences(mail.subject ?? '').length) continue;
    plain.push({ row, mail, sender, refs });
  }
  // Two messages from one sender: the second may find the first's customer or case.
  const single = plain.filter((p) => senders.get(p.sender.address) === 1);
  if (!single.length) return [];
  const refs = [...new Set(single.flatMap((p) => p.refs))];
  const answered = new Set<string>();
  if (refs.length) {
    const { rows } = await sql<{ message_id: string }>`
      SELECT message_id FROM outbound_emails WHERE message_id = ANY(${refs}::text[]) AND case_id IS NOT NULL
      UNION SELECT message_id FROM inbound_emails WHERE message_id = ANY(${refs}::text[]) AND case_id IS NOT NULL`.execute(tx.db);
    for (const r of rows) answered.add(r.message_id);
  }
  const fresh = single.filter((p) => !p.refs.some((r) => answered.has(r)));
  if (!fresh.length) return [];
  const { rows: customers } = await sql<{ email: string; id: number; merged_into_id: number | null; name: string; title: string | null; given_name: string | null; family_name: string | null; first_name_ok: boolean }>`
    SELECT DISTINCT ON (lower(e.email)) lower(e.email) AS email, c.id, c.merged_into_id, c.name, c.title, c.given_name, c.family_name, c.first_name_ok
    FROM customer_emails e JOIN customers c ON c.id = e.customer_id
    WHERE lower(e.email) = ANY(${fresh.map((p) => p.sender.address)}::text[])
    ORDER BY lower(e.email), e.customer_id`.execute(tx.db);
  const byEmail = new Map(customers.map((c) => [c.email, c]));
  return fresh.map(({ row, mail, sender }) => {
    const c = byEmail.get(sender.address);
    return {
      row, mail, sender,
      known: c ? { id: c.id, mergedIntoId: c.merged_into_id, salutation: formOfAddress({ name: c.name, title: c.title, givenName: c.given_name, familyName: c.family_name, firstNameOk: c.first_name_ok }) } : null,
    };
  });
}

/** Opens one case per message, acknowledges each, and marks the inbound rows filed: the same rows as one by one. */
export async function fileNewConversations(tx: Ctx, settings: OrganisationSettings, list: NewConversation[]) {
  const now = tx.clock.now();
  const people = await customersFor(tx, list, now);
  const expectation = await expectationFor(tx, { caseType: 'question', channel: 'email', openedAt: now });
  const subjects = list.map((n) => withoutCaseReference(n.mail.subject ?? '') || '(no subject)');

  // openCase's row for an email with nobody acting and no inbound team: unowned, new, no team.
  const opened = await tx.db.insertInto('cases').values(list.map((_, i) => ({
    subject: subjects[i]!.slice(0, 300), customer_id: people[i]!.customerId, channel: 'email', type: 'question', priority: 'normal',
    status: 'new', owner_id: null, team_id: null, touchpoint: null, requester_department_id: null, caused_by_department_id: null,
    tags: [], opened_at: now, first_response_due_at: expectation?.firstResponseDueAt ?? null,
    resolution_due_at: expectation?.resolutionDueAt ?? null, updated_at: now,
  }))).returning(caseColumns).execute();
  // Identity values are drawn in the order of the VALUES list.
  const cases = opened.sort((a, b) => a.id - b.id).map((c) => ({ ...c, runAround: false }));

  // The standard's commitments (commitments/standard-clock.ts openStandardCommitments, for many cases).
  if (expectation) {
    const due = [
      { kind: 'first_response' as const, text: 'First response within the service standard', due_at: expectation.firstResponseDueAt },
      { kind: 'resolution' as const, text: 'Resolution within the service standard', due_at: expectation.resolutionDueAt },
    ].filter((r) => r.due_at > now);
    if (due.length) {
      await writeLater(tx.db, tx.db.insertInto('commitments').values(cases.flatMap((c) => due.map((r) => ({
        case_id: c.id, customer_id: c.customerId, kind: r.kind, text: r.text, owner_id: null, team_id: c.teamId,
        due_at: r.due_at, created_at: c.openedAt, created_by_id: null,
      })))));
    }
  }

  // The acknowledgements answer (thread to) the message that opened each case.
  const texts = cases.map((c, i) => acknowledgementText(settings, people[i]!.salutation, c.id, c.firstResponseDueAt, null));
  const acks = await queueEmails(tx, cases.map((c, i) => {
    const messageId = list[i]!.mail.messageId ?? null;
    return {
      mail: { caseId: c.id, entryId: null, kind: 'acknowledgement' as const, to: list[i]!.sender.address, subject: subjects[i]!, text: texts[i]! },
      thread: { inReplyTo: messageId, lastSender: list[i]!.row.envelope_from, references: messageId ? [messageId] : [], secret: null },
    };
  }));

  // Per case, in the order one by one writes them: opened, the message, the acknowledgement.
  const bodies = list.map((n) => messageData(n.row.id, n.mail, n.sender.address, null, { caseId: null, proof: null, suspected: null }));
  const entries = await tx.db.insertInto('case_entries').values(cases.flatMap((c, i) => [
    { case_id: c.id, kind: 'case_opened', author_id: null, body: null, created_at: now,
      data: JSON.stringify({ channel: c.channel, firstResponseDueAt: c.firstResponseDueAt, resolutionDueAt: c.resolutionDueAt, ownerId: null }) },
    { case_id: c.id, kind: 'inbound_message', author_id: null, body: bodies[i]!.visible, created_at: now, data: JSON.stringify(bodies[i]!.data) },
    { case_id: c.id, kind: 'acknowledgement_sent', author_id: null, body: texts[i]!, created_at: now,
      data: JSON.stringify({ outboundEmailId: acks[i]!.id, firstResponseDueAt: c.firstResponseDueAt }) },
  ])).returning(['id', 'case_id', 'kind']).execute();
  const messageEntry = new Map(entries.filter((e) => e.kind === 'inbound_message').map((e) => [e.case_id, e.id]));

  // audit/service.ts recordAudit's row for each opening.
  await writeLater(tx.db, tx.db.insertInto('audit_log').values(cases.map(({ runAround: _, ...c }) => ({
    at: now, actor_id: null, entity: 'case', entity_id: c.id, action: 'open', before: null, after: JSON.stringify(c),
  }))));
  await publishAll(tx, cases.flatMap((c, i): DomainEvent[] => [
    { type: 'case.opened', caseId: c.id, customerId: c.customerId, payload: { case: caseFacts(c), openedAt: c.openedAt } },
    { type: 'message.received', caseId: c.id, customerId: c.customerId,
      payload: { caseId: c.id, entryId: messageEntry.get(c.id)!, channel: c.channel, body: bodies[i]!.visible, authorId: null } },
  ]));
  const filed = sql`
    UPDATE inbound_emails i SET status = 'processed', reason = NULL, automatic = NULL, processed_at = ${now},
      attempts = v.attempts, message_id = v.message_id, case_id = v.case_id, entry_id = v.entry_id
    FROM unnest(${list.map((n) => n.row.id)}::bigint[], ${list.map((n) => n.row.attempts + 1)}::int[], ${list.map((n) => n.mail.messageId ?? null)}::text[],
                ${cases.map((c) => c.id)}::bigint[], ${cases.map((c) => messageEntry.get(c.id)!)}::bigint[]) AS v(id, attempts, message_id, case_id, entry_id)
    WHERE i.id = v.id AND i.status = 'received'`;
  await writeLater(tx.db, { compile: () => filed.compile(tx.db) });
  return list.length;
}

/**
 * The customer of each message: known, or created as createCustomer creates one for a new sender
 * (the display name parsed, email as the preferred channel, audit row, customer.created event
 * with the customer as getCustomer reads it), all new ones in one statement per table.
 */
async function customersFor(tx: Ctx, list: NewConversation[], now: Date) {
  const fresh = list.filter((n) => !n.known);
  const created = new Map<string, { id: number; salutation: string }>();
  if (fresh.length) {
    const names = fresh.map((n) => parseDisplayName(n.sender.name));
    const inserted = await tx.db.insertInto('customers').values(names.map((p) => ({
      name: p.name, title: p.title, given_name: p.givenName, family_name: p.familyName, first_name_ok: false,
      preferred_channel: 'email', language: null, notes: null, segment: null, created_at: now, updated_at: now,
    }))).returning(['id']).execute();
    // Identity values are drawn in the order of the VALUES list.
    const ids = inserted.map((r) => r.id).sort((a, b) => a - b);
    await writeLater(tx.db, tx.db.insertInto('customer_emails').values(fresh.map((n, i) => ({ email: n.sender.address, customer_id: ids[i]! }))));
    const customers = fresh.map((n, i) => {
      const c = {
        id: ids[i]!, name: names[i]!.name, title: names[i]!.title, givenName: names[i]!.givenName, familyName: names[i]!.familyName, firstNameOk: false,
        preferredChannel: 'email', language: null, notes: null, segment: null, mergedIntoId: null, createdAt: now, updatedAt: now,
        emails: [n.sender.address], phones: [] as string[],
      };
      return { ...c, salutation: formOfAddress(c) };
    });
    await writeLater(tx.db, tx.db.insertInto('audit_log').values(customers.map((c) => ({
      at: now, actor_id: null, entity: 'customer', entity_id: c.id, action: 'create', before: null, after: JSON.stringify(c),
    }))));
    await publishAll(tx, customers.map((c): DomainEvent => ({ type: 'customer.created', customerId: c.id, payload: { customer: c } })));
    fresh.forEach((n, i) => created.set(n.sender.address, customers[i]!));
  }
  return list.map((n) => n.known
    ? { customerId: n.known.mergedIntoId ?? n.known.id, salutation: n.known.salutation }
    : { customerId: created.get(n.sender.address)!.id, salutation: created.get(n.sender.address)!.salutation });
}

/** Counts what went together once its savepoint is released (a rolled-back batch did not). */
export function countFiledTogether(n: number | null) {
  if (n === null) filingTogether.fellBack += 1;
  else filingTogether.messages += n;
}
