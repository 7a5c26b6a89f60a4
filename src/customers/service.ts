/**
 * Customers: one person, one history across every channel. Each has a form of address
 * (title and surname until they say their first name is fine). An email address belongs to one
 * customer only; merging two records moves everything of the second onto the first.
 */
import { sql } from 'kysely';
import type { Ctx } from '../core/context';
import { inTransaction } from '../core/context';
import { Conflict, Invalid, NotFound } from '../core/errors';
import { decodeCursor, toPage } from '../core/pagination';
import { publish } from '../events';
import { recordAudit, changedFields } from '../audit';
import type { Channel } from './schema';

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

function dedupe(list: string[]): string[] {
  const seen = new Map<string, string>();
  for (const v of list) seen.set(v.toLowerCase(), v);
  return [...seen.values()];
}

export async function createCustomer(ctx: Ctx, input: CustomerInput) {
  return inTransaction(ctx, async (tx) => {
    const emails = dedupe(input.emails ?? []);
    await assertEmailsFree(tx, emails);
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
    const phones = [...new Set(input.phones ?? [])];
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
      await tx.db.deleteFrom('customer_phones').where('customer_id', '=', id).execute();
      const phones = [...new Set(patch.phones)];
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
    q = q.where((eb) =>
      eb.or([
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
  if (survivorId === duplicateId) throw new Invalid('body.duplicateId', 'distinct', 'A customer cannot be merged into itself');
  return inTransaction(ctx, async (tx) => {
    const [survivor, duplicate] = await Promise.all([getCustomer(tx, survivorId), getCustomer(tx, duplicateId)]);
    if (survivor.mergedIntoId) throw new Conflict(`Customer ${survivorId} was itself merged into ${survivor.mergedIntoId}`);
    if (duplicate.mergedIntoId) throw new Conflict(`Customer ${duplicateId} was already merged into ${duplicate.mergedIntoId}`);
    const movedCases = await tx.db.updateTable('cases').set({ customer_id: survivorId }).where('customer_id', '=', duplicateId).executeTakeFirst();
    // Everything that is part of their story moves: promises, recoveries, goodwill, surveys.
    for (const table of ['commitments', 'recoveries', 'decisions', 'survey_invitations', 'survey_responses'] as const) {
      await tx.db.updateTable(table).set({ customer_id: survivorId }).where('customer_id', '=', duplicateId).execute();
    }
    await tx.db.updateTable('customer_emails').set({ customer_id: survivorId }).where('customer_id', '=', duplicateId).execute();
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
