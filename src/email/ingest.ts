/**
 * Receiving mail, in two steps. First the raw bytes are stored (that commit is what SMTP's 250
 * and the IMAP flag wait for). Then processing turns the stored message into a case or a
 * timeline entry: parse, recognise automatic mail, thread, match or create the customer, store
 * attachments, acknowledge a new case. A message that cannot be processed is quarantined with
 * its reason and raw bytes, for an admin to inspect and re-process: never dropped.
 */
import { sql } from 'kysely';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { Ctx } from '../core/context';
import { inTransaction } from '../core/context';
import { NotFound } from '../core/errors';
import { addMessage, openCase, getCase } from '../cases';
import { createCustomer, findCustomerByEmail, getCustomer } from '../customers';
import { getSettings, type OrganisationSettings } from '../org';
import { getStaff } from '../staff';
import { caseReference, queueEmail, withoutCaseReference } from '../outbox';
import { addEntry } from '../timeline';
import { automaticReason } from './automatic';
import { caseForMessage } from './threading';
import { linkAttachments, storeAttachments } from './attachments';
import { countFiledTogether, fileNewConversations, newConversations } from './batch-filing';
import { acknowledgementText, messageData, type StoredRow } from './message';
import { cleanMail, InvalidSender, senderOf, withoutControls } from './sender';

/**
 * Messages filed per transaction: one commit for the lot, a savepoint each. Kept under 64, the
 * subtransactions PostgreSQL tracks per backend before every snapshot elsewhere gets slower.
 */
const BATCH = 50;
/** Batches filed at once: the database does most of the work, so two keep both cores busy. */
const FILERS = 2;
const MAX_ATTEMPTS = 5;

type InboundMeta = { source: string; envelopeFrom?: string | null; envelopeTo?: string[]; messageId?: string | null };

export async function storeInbound(ctx: Ctx, raw: Buffer, meta: InboundMeta) {
  return (await storeInboundMany(ctx, [{ raw, meta }]))[0]!;
}

/** Stores several raw messages in one statement and one commit; ids in the order given. */
export async function storeInboundMany(ctx: Ctx, messages: { raw: Buffer; meta: InboundMeta }[]): Promise<number[]> {
  const now = ctx.clock.now();
  const rows = await ctx.db
    .insertInto('inbound_emails')
    .values(messages.map(({ raw, meta }) => ({
      source: meta.source,
      envelope_from: meta.envelopeFrom ?? null,
      envelope_to: meta.envelopeTo ?? [],
      raw,
      received_at: now,
      message_id: meta.messageId ?? null,
    })))
    .returning('id')
    .execute();
  // Identity values are drawn in the order of the VALUES list.
  return rows.map((r) => r.id).sort((a, b) => a - b);
}

/**
 * Worker: file what has been stored and not yet filed (also picks up after a crash). A batch of
 * received messages is claimed with FOR NO KEY UPDATE SKIP LOCKED (so instances never file one
 * twice) and filed in one transaction, one savepoint per message: a message that fails is rolled
 * back alone and quarantined (or left for a retry), the others are filed, and the batch costs one
 * commit instead of one per message.
 */
export async function processStoredEmails(ctx: Ctx): Promise<number> {
  const claimed = await Promise.all(Array.from({ length: FILERS }, () => fileBatch(ctx)));
  return claimed.reduce((a, b) => a + b, 0);
}

async function fileBatch(ctx: Ctx): Promise<number> {
  return inTransaction({ ...ctx, actor: null }, async (tx) => {
    const rows = await tx.db.selectFrom('inbound_emails').selectAll().where('status', '=', 'received').orderBy('id')
      .limit(BATCH).forNoKeyUpdate().skipLocked().execute();
    if (!rows.length) return 0;
    // Parsing is the CPU part and touches no database: all of the batch at once.
    const mails = await Promise.all(rows.map((r) => parse(r.raw).then((mail) => ({ mail }), (error: unknown) => ({ error }))));
    // New conversations are filed together (batch-filing.ts); if that fails, each goes below.
    const filed = new Set<number>();
    const settings = await getSettings(tx);
    const parsed = rows.flatMap((row, i) => { const m = mails[i]!; return 'mail' in m ? [{ row, mail: m.mail }] : []; });
    const together = await newConversations(tx, settings, parsed);
    if (together.length) {
      await sql`SAVEPOINT batch`.execute(tx.db);
      try {
        await fileNewConversations(tx, settings, together);
        await sql`RELEASE SAVEPOINT batch`.execute(tx.db);
        for (const n of together) filed.add(n.row.id);
        countFiledTogether(together.length);
      } catch {
        await sql`ROLLBACK TO SAVEPOINT batch`.execute(tx.db);
        countFiledTogether(null);
      }
    }
    for (const [i, row] of rows.entries()) {
      if (filed.has(row.id)) continue;
      const parsed = mails[i]!;
      await sql`SAVEPOINT filing`.execute(tx.db);
      try {
        if ('error' in parsed) throw parsed.error;
        await fileStored(tx, row, parsed.mail, settings);
        await sql`RELEASE SAVEPOINT filing`.execute(tx.db);
      } catch (e) {
        await sql`ROLLBACK TO SAVEPOINT filing`.execute(tx.db);
        await setAside(tx, row.id, row.attempts, e);
      }
    }
    return rows.length;
  });
}

/** Files one message that the caller has locked; the caller's transaction commits it. */
async function fileStored(tx: Ctx, row: StoredRow, mail: ParsedMail, settings?: OrganisationSettings) {
  // The Message-ID first: an acknowledgement queued while filing answers (threads to) it.
  await tx.db.updateTable('inbound_emails').set({ attempts: row.attempts + 1, message_id: mail.messageId ?? null }).where('id', '=', row.id).execute();
  const outcome = await fileMessage(tx, row.id, mail, row.envelope_from, row.envelope_to, settings ?? await getSettings(tx));
  await tx.db.updateTable('inbound_emails').set({ ...outcome, processed_at: tx.clock.now() }).where('id', '=', row.id).execute();
}

/**
 * A message that could not be filed. Two messages from the same new sender racing to create the
 * customer, or a deadlock, are tried again on a later sweep (a few times) rather than quarantine a
 * perfectly good message; anything else is quarantined with its reason. True when it is settled.
 */
async function setAside(ctx: Ctx, id: number, attemptsBefore: number, e: unknown): Promise<boolean> {
  const code = (e as { code?: string }).code;
  const transient = code === '23505' || code === '40001' || code === '40P01';
  const attempts = attemptsBefore + 1;
  if (transient && attempts < MAX_ATTEMPTS) {
    await ctx.db.updateTable('inbound_emails').set({ attempts }).where('id', '=', id).where('status', '=', 'received').execute();
    return false;
  }
  await ctx.db.updateTable('inbound_emails')
    .set({ status: 'quarantined', attempts, reason: String((e as Error).message ?? e).slice(0, 2000), processed_at: ctx.clock.now() })
    .where('id', '=', id).where('status', '=', 'received').execute();
  return true;
}

/** Files one message in its own transaction (an admin's re-processing). */
export async function processInbound(ctx: Ctx, id: number): Promise<boolean> {
  const system: Ctx = { ...ctx, actor: null };
  return inTransaction(system, async (tx) => {
    const row = await tx.db.selectFrom('inbound_emails').selectAll().where('id', '=', id).where('status', '=', 'received').forNoKeyUpdate().skipLocked().executeTakeFirst();
    if (!row) return false;
    await sql`SAVEPOINT filing`.execute(tx.db);
    try {
      await fileStored(tx, row, await parse(row.raw));
      await sql`RELEASE SAVEPOINT filing`.execute(tx.db);
      return true;
    } catch (e) {
      await sql`ROLLBACK TO SAVEPOINT filing`.execute(tx.db);
      return setAside(tx, id, row.attempts, e);
    }
  });
}

async function parse(raw: Buffer): Promise<ParsedMail> {
  if (!raw.length) throw new Error('empty message');
  const mail = await simpleParser(raw, { skipImageLinks: true, skipTextLinks: true, maxHtmlLengthToParse: 5_000_000 });
  if (!mail.headers.size) throw new Error('not an email message: no header lines could be read');
  return cleanMail(mail);
}

type Outcome = { status: 'processed' | 'ignored'; reason?: string | null; automatic?: string | null; case_id?: number | null; entry_id?: number | null };

async function fileMessage(ctx: Ctx, inboundId: number, mail: ParsedMail, envelopeFrom: string | null, envelopeTo: string[], settings: OrganisationSettings): Promise<Outcome> {
  const automatic = withoutControls(automaticReason(mail, envelopeFrom) ?? '') || null;
  let who: ReturnType<typeof senderOf>;
  try {
    who = senderOf(mail, envelopeFrom);
  } catch (e) {
    // A bounce from "MAILER-DAEMON" names no address; it is still only machine mail.
    if (automatic && e instanceof InvalidSender) return { status: 'ignored', reason: `automatic mail not filed: ${automatic}; ${e.message}`, automatic };
    throw e;
  }
  const { address: sender, name } = who;
  const knownCustomer = await findCustomerByEmail(ctx, sender);
  const thread = await caseForMessage(ctx, mail, { address: sender, customerId: knownCustomer, envelopeTo });
  const existing = thread.caseId ? await getCase(ctx, thread.caseId) : null;

  if (automatic && (!existing || automatic.startsWith('loop'))) {
    return { status: 'ignored', reason: `automatic mail not filed: ${automatic}`, automatic, case_id: existing?.id ?? null };
  }
  const { visible, data } = messageData(inboundId, mail, sender, automatic, thread);

  // Attachments are stored first so the timeline entry is written once, complete; the entry
  // is never edited afterwards (the timeline is append-only).
  const fileOnCase = async (caseId: number) => {
    const files = await storeAttachments(ctx, mail.attachments, { caseId, inboundEmailId: inboundId });
    const entry = await addMessage(ctx, caseId, 'inbound_message', { body: visible, data: files.stored.length || files.refused.length ? { ...data, attachments: files } : data });
    await linkAttachments(ctx, files, entry.id);
    return entry;
  };

  if (existing && automatic) {
    // An out-of-office on a case is worth seeing, but it is not the customer answering: no clock or status change.
    const entry = await addEntry(ctx, existing.id, 'automatic_message', { authorId: null, body: visible, data });
    return { status: 'processed', automatic, case_id: existing.id, entry_id: entry.id };
  }
  if (existing && existing.status !== 'closed') {
    const entry = await fileOnCase(existing.id);
    return { status: 'processed', automatic, case_id: existing.id, entry_id: entry.id };
  }

  const customerId = knownCustomer ?? (await createCustomer(ctx, { name, emails: [sender], preferredChannel: 'email' })).id;
  const subject = withoutCaseReference(mail.subject ?? '') || '(no subject)';
  const c = await openCase(ctx, { subject: subject.slice(0, 300), customerId, channel: 'email', type: 'question', ownerId: null, message: undefined,
    tags: existing ? [`follow-up-of-${caseReference(existing.id).toLowerCase()}`] : [] });
  await ctx.db.updateTable('inbound_emails').set({ case_id: c.id }).where('id', '=', inboundId).execute(); // the thread starts here
  const entry = await fileOnCase(c.id);
  const suspicion = thread.suspected && !existing
    ? `This message names case ${thread.suspected}, but nothing proves the sender received that case's mail (no case secret, no answer to our message, no DKIM/SPF pass for ${sender.split('@')[1]}), so it opened this new case. Merge only after checking with the customer.`
    : null;
  if (suspicion) await addEntry(ctx, c.id, 'internal_note', { authorId: null, body: suspicion, data: { suspectedReference: thread.suspected } });
  await acknowledge(ctx, c.id, customerId, sender, subject, settings);
  return { status: 'processed', automatic: null, case_id: c.id, entry_id: entry.id, reason: suspicion && `suspected reference ${thread.suspected} without proof: opened a new case` };
}

/** The acknowledgement of a new case (message.ts says what it says). */
async function acknowledge(ctx: Ctx, caseId: number, customerId: number, to: string, subject: string, settings: OrganisationSettings) {
  const [c, customer] = await Promise.all([getCase(ctx, caseId), getCustomer(ctx, customerId)]);
  const owner = c.ownerId ? await getStaff(ctx, c.ownerId) : null;
  const text = acknowledgementText(settings, customer.salutation, caseId, c.firstResponseDueAt, owner);
  const mail = await queueEmail(ctx, { caseId, entryId: null, kind: 'acknowledgement', to, subject, text });
  await addEntry(ctx, caseId, 'acknowledgement_sent', { authorId: null, body: text, data: { outboundEmailId: mail.id, firstResponseDueAt: c.firstResponseDueAt } });
}

export async function quarantined(ctx: Ctx, limit: number) {
  return ctx.db.selectFrom('inbound_emails')
    .select(['id', 'source', 'envelope_from as envelopeFrom', 'received_at as receivedAt', 'reason', 'attempts', 'processed_at as processedAt'])
    .select((eb) => eb.fn<number>('octet_length', ['raw']).as('size'))
    .where('status', '=', 'quarantined').orderBy('id', 'desc').limit(limit).execute();
}

export async function inboundLog(ctx: Ctx, limit: number) {
  return ctx.db.selectFrom('inbound_emails')
    .select(['id', 'source', 'envelope_from as envelopeFrom', 'received_at as receivedAt', 'status', 'reason', 'automatic', 'case_id as caseId', 'message_id as messageId'])
    .orderBy('id', 'desc').limit(limit).execute();
}

export async function rawMessage(ctx: Ctx, id: number) {
  const row = await ctx.db.selectFrom('inbound_emails').select('raw').where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFound('Inbound email', id);
  return row.raw;
}

/** An admin sends a quarantined (or ignored) message through processing again. */
export async function reprocess(ctx: Ctx, id: number) {
  const res = await ctx.db.updateTable('inbound_emails').set({ status: 'received', reason: null }).where('id', '=', id)
    .where('status', 'in', ['quarantined', 'ignored']).executeTakeFirst();
  if (!res.numUpdatedRows) throw new NotFound('Quarantined email', id);
  await processInbound(ctx, id);
  return ctx.db.selectFrom('inbound_emails').select(['id', 'status', 'reason', 'case_id as caseId']).where('id', '=', id).executeTakeFirstOrThrow();
}
