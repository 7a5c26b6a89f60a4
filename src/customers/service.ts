/**
 * Customers: one person, one history across every channel. Each has a form of address
 * (title and surname until they say their first name is fine). An email address belongs to one
 * customer only, and so does a phone number (kept in E.164, see phones.ts); merging two records
 * moves everything of the second onto the first.
 */
import { sql } from 'kysely';
import type { Ctx } from '../core/context';
import { inTransaction } from '../core/context';
import { Conflict, DomainError, NotFound } from '../core/errors';
import { decodeCursor, toPage } from '../core/pagination';
import { publish } from '../events';
import { recordAudit, changedFields } from '../audit';
import type { Channel } from './schema';
import { parseDisplayName } from './names';
import { findCustomerByPhone, invalidPhone, normalisePhones, phoneRegion, toE164 } from './phones';

export { parseDisplayName, type ParsedName } from './names';
export { DEFAULT_PHONE_REGION, findCustomerByPhone, normaliseStoredPhones } from './phones';

export interface CustomerInput {
  name: string;
  title?: string | null;
  givenName?: string | null;
  familyName?: string | null;
  firstNameOk?: boolean;
  emails?: string[];
  phones?: string[];
  preferredChannel?: Channel | null;
  language?: string | null;
  notes?: string | null;
  segment?: string | null;
}

const columns = ['customers.id', 'customers.name', 'customers.title', 'customers.given_name as givenName',
  'customers.family_name as familyName', 'customers.first_name_ok as firstNameOk',
  'customers.preferred_channel as preferredChannel', 'customers.language', 'customers.notes',
  'customers.segment', 'customers.merged_into_id as mergedIntoId', 'customers.created_at as createdAt',
  'customers.updated_at as updatedAt'] as const;

/**
 * How to greet this customer: "Mrs Okafor" until first name is allowed, then "Ada".
 * Without a surname or title we fall back to the full name rather than guess.
 */
export function formOfAddress(c: { name: string; title: string | null; givenName: string | null; familyName: string | null; firstNameOk: boolean }): string {
  if (c.firstNameOk && c.givenName) return c.givenName;
  if (c.title && c.familyName) return `${c.title} ${c.familyName}`;
  return c.name;
}

export async function getCustomer(ctx: Ctx, id: number) {
  // One round trip: emails and phones come along as arrays.
  const row = await ctx.db
    .selectFrom('customers')
    .select(columns)
    .select([
      sql<string[]>`array(SELECT email FROM customer_emails e WHERE e.customer_id = customers.id ORDER BY email)`.as('emails'),
      sql<string[]>`array(SELECT phone FROM customer_phones p WHERE p.customer_id = customers.id ORDER BY phone)`.as('phones'),
    ])
    .where('customers.id', '=', id)
    .executeTakeFirst();
  if (!row) throw new NotFound('Customer', id);
  return { ...row, salutation: formOfAddress(row) };
}

export type Customer = Awaited<ReturnType<typeof getCustomer>>;

export async function findCustomerByEmail(ctx: Ctx, email: string): Promise<number | null> {
  const row = await ctx.db
    .selectFrom('customer_emails')
    .select('customer_id')
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .executeTakeFirst();
  return row?.customer_id ?? null;
}

/** For telephony: who is calling? The live customer with this number, however it is written. */
export async function lookupCustomerByPhone(ctx: Ctx, phone: string) {
  const region = await phoneRegion(ctx);
  const e164 = toE164(phone, region);
  if (!e164) throw invalidPhone('querystring.phone', phone, region);
  const id = await findCustomerByPhone(ctx, e164);
  if (!id) throw new NotFound('Customer with phone number', e164);
  return getCustomer(ctx, id);
}

async function assertEmailsFree(ctx: Ctx, emails: string[], exceptCustomer?: number) {
  for (const email of emails) {
    const owner = await findCustomerByEmail(ctx, email);
    if (owner && owner !== exceptCustomer) {
      throw new Conflict(`${email} already belongs to customer ${owner}`, [
        { field: 'body.emails', rule: 'unique', message: `${email} already belongs to customer ${owner}` },
      ]);
    }
  }
}

async function assertPhonesFree(ctx: Ctx, phones: string[], exceptCustomer?: number) {
  for (const phone of phones) {
    // Two requests adding the same number at once must not both see it free.
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`phone:${phone}`}))`.execute(ctx.db);
    const owner = await findCustomerByPhone(ctx, phone);
    if (owner && owner !== exceptCustomer) {
      throw new Conflict(`${phone} already belongs to customer ${owner}`, [
        { field: 'body.phones', rule: 'unique', message: `${phone} already belongs to customer ${owner}` },
      ]);
    }
  }
}

/** A customer given by name only ("Mrs Helen Clark") gets the title and names read from it. */
function withParsedName(input: CustomerInput): CustomerInput {
  if (input.title != null || input.givenName != null || input.familyName != null) return input;
  const parsed = parseDisplayName(input.name);
  return { ...input, ...parsed };
}

function dedupe(list: string[]): string[] {
  const seen = new Map<string, string>();
  for (const v of list) seen.set(v.toLowerCase(), v);
  return [...seen.values()];
}

export async function createCustomer(ctx: Ctx, given: CustomerInput) {
  const input = withParsedName(given);
  return inTransaction(ctx, async (tx) => {
    const emails = dedupe(input.emails ?? []);
    await assertEmailsFree(tx, emails);
    const phones = await normalisePhones(tx, input.phones ?? []);
    await assertPhonesFree(tx, phones);
    const now = tx.clock.now();
    const { id } = await tx.db
      .insertInto('customers')
      .values({
        name: input.name,
        title: input.title ?? null,
        given_name: input.givenName ?? null,
        family_name: input.familyName ?? null,
        first_name_ok: input.firstNameOk ?? false,
        preferred_channel: input.preferredChannel ?? null,
        language: input.language ?? null,
        notes: input.notes ?? null,
        segment: input.segment ?? null,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (emails.length) await tx.db.insertInto('customer_emails').values(emails.map((email) => ({ email, customer_id: id }))).execute();
    if (phones.length) await tx.db.insertInto('customer_phones').values(phones.map((phone) => ({ phone, customer_id: id }))).execute();
    const customer = await getCustomer(tx, id);
    await recordAudit(tx, 'customer', id, 'create', null, customer);
    await publish(tx, 'customer.created', { customerId: id }, { customer });
    return customer;
  });
}

export async function updateCustomer(ctx: Ctx, id: number, patch: Partial<CustomerInput>) {
  return inTransaction(ctx, async (tx) => {
    const before = await getCustomer(tx, id);
    if (before.mergedIntoId) throw new Conflict(`Customer ${id} was merged into ${before.mergedIntoId}; change that record instead`);
    await tx.db
      .updateTable('customers')
      .set({
        name: patch.name,
        title: patch.title,
        given_name: patch.givenName,
        family_name: patch.familyName,
        first_name_ok: patch.firstNameOk,
        preferred_channel: patch.preferredChannel,
        language: patch.language,
        notes: patch.notes,
        segment: patch.segment,
        updated_at: tx.clock.now(),
      })
      .where('id', '=', id)
      .execute();
    if (patch.emails) {
      const emails = dedupe(patch.emails);
      await assertEmailsFree(tx, emails, id);
      await tx.db.deleteFrom('customer_emails').where('customer_id', '=', id).execute();
      if (emails.length) await tx.db.insertInto('customer_emails').values(emails.map((email) => ({ email, customer_id: id }))).execute();
    }
    if (patch.phones) {
      const phones = await normalisePhones(tx, patch.phones);
      await assertPhonesFree(tx, phones, id);
      await tx.db.deleteFrom('customer_phones').where('customer_id', '=', id).execute();
      if (phones.length) await tx.db.insertInto('customer_phones').values(phones.map((phone) => ({ phone, customer_id: id }))).execute();
    }
    const after = await getCustomer(tx, id);
    const diff = changedFields(before, after);
    await recordAudit(tx, 'customer', id, 'update', diff.before, diff.after);
    if (Object.keys(diff.after).length) await publish(tx, 'customer.updated', { customerId: id }, { customer: after, before: diff.before, after: diff.after });
    return after;
  });
}

export async function listCustomers(ctx: Ctx, opts: { q?: string; segment?: string; limit: number; cursor?: string }) {
  const after = decodeCursor(opts.cursor);
  let q = ctx.db.selectFrom('customers').select(columns).where('customers.merged_into_id', 'is', null);
  if (after) q = q.where('customers.id', '<', after);
  if (opts.segment) q = q.where('customers.segment', '=', opts.segment);
  if (opts.q) {
    const term = opts.q.toLowerCase();
    const prefix = `${term.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    // A term that reads as a phone number finds its owner however the number was written.
    const phone = /^[\d\s()+./-]{6,}$/.test(opts.q) ? toE164(opts.q, await phoneRegion(ctx)) : null;
    q = q.where((eb) =>
      eb.or([
        ...(phone ? [eb('customers.id', 'in', (sub) => sub.selectFrom('customer_phones').select('customer_phones.customer_id').where('customer_phones.phone', '=', phone))] : []),
        eb(eb.fn('lower', ['customers.name']), 'like', prefix),
        eb(eb.fn('lower', ['customers.family_name']), 'like', prefix),
        eb('customers.id', 'in', (sub) =>
          sub.selectFrom('customer_emails')
            .select('customer_emails.customer_id')
            .where(sql<string>`lower(customer_emails.email)`, 'like', prefix)),
      ]),
    );
  }
  const rows = await q.orderBy('customers.id', 'desc').limit(opts.limit + 1).execute();
  return toPage(rows.map((r) => ({ ...r, salutation: formOfAddress(r) })), opts.limit);
}

/**
 * Merging keeps both histories: the duplicate's cases, promises, recoveries, decisions, survey
 * answers, emails and phones move to the surviving record; the duplicate stays as a pointer to it.
 */
export async function mergeCustomers(ctx: Ctx, survivorId: number, duplicateId: number) {
  if (survivorId === duplicateId) {
    const message = `Customer ${survivorId} cannot be merged into itself; give the id of the duplicate record`;
    throw new DomainError(400, 'Invalid request', message, [{ field: 'body.duplicateId', rule: 'distinct', message }]);
  }
  return inTransaction(ctx, async (tx) => {
    // Both records are locked, lowest id first, before either is read: a merge of A into B and
    // one of B into A wait for each other instead of both succeeding or deadlocking, and the
    // second then sees the first and is refused below.
    await tx.db.selectFrom('customers').select('id').where('id', 'in', [survivorId, duplicateId]).orderBy('id').forUpdate().execute();
    const [survivor, duplicate] = await Promise.all([getCustomer(tx, survivorId), getCustomer(tx, duplicateId)]);
    if (survivor.mergedIntoId) throw new Conflict(`Customer ${survivorId} was itself merged into ${survivor.mergedIntoId}; merge into customer ${survivor.mergedIntoId} instead`);
    if (duplicate.mergedIntoId) throw new Conflict(`Customer ${duplicateId} was already merged into ${duplicate.mergedIntoId}; there is nothing left to merge`);
    const movedCases = await tx.db.updateTable('cases').set({ customer_id: survivorId }).where('customer_id', '=', duplicateId).executeTakeFirst();
    // Everything that is part of their story moves: promises, recoveries, goodwill, surveys.
    for (const table of ['commitments', 'recoveries', 'decisions', 'survey_invitations', 'survey_responses'] as const) {
      await tx.db.updateTable(table).set({ customer_id: survivorId }).where('customer_id', '=', duplicateId).execute();
    }
    await tx.db.updateTable('customer_emails').set({ customer_id: survivorId }).where('customer_id', '=', duplicateId).execute();
    // A number both records have is kept once.
    await tx.db.deleteFrom('customer_phones').where('customer_id', '=', duplicateId)
      .where('phone', 'in', (sub) => sub.selectFrom('customer_phones').select('phone').where('customer_id', '=', survivorId)).execute();
    await tx.db.updateTable('customer_phones').set({ customer_id: survivorId }).where('customer_id', '=', duplicateId).execute();
    const notes = [survivor.notes, duplicate.notes].filter(Boolean).join('\n\n') || null;
    await tx.db.updateTable('customers').set({ notes, updated_at: tx.clock.now() }).where('id', '=', survivorId).execute();
    await tx.db.updateTable('customers').set({ merged_into_id: survivorId, updated_at: tx.clock.now() }).where('id', '=', duplicateId).execute();
    await recordAudit(tx, 'customer', survivorId, 'merge', { duplicate }, { movedCases: Number(movedCases.numUpdatedRows) });
    await recordAudit(tx, 'customer', duplicateId, 'merged_into', null, { survivorId });
    const merged = await getCustomer(tx, survivorId);
    await publish(tx, 'customer.merged', { customerId: survivorId }, { customer: merged, duplicateId, movedCases: Number(movedCases.numUpdatedRows) });
    return merged;
  });
}
