/**
 * Phone numbers are kept in E.164 ("+442079460958") so one number matches however it was
 * written: "+44 20 7946 0958", "020 7946 0958" and "0044 20 7946 0958" are the same line.
 * A number written without its country code is read in the organisation's region: the country of
 * its time zone when we know it (Europe/Berlin: DE), otherwise DEFAULT_PHONE_REGION.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { sql } from 'kysely';
import type { Ctx } from '../core/context';
import { inTransaction } from '../core/context';
import { DomainError } from '../core/errors';

/** The region for national numbers when the organisation's time zone names no single country. */
export const DEFAULT_PHONE_REGION: CountryCode = 'GB';

// The organisation has no country setting; its time zone usually names one. Zones shared by
// several countries (UTC, Europe/Zurich for LI too) simply fall back to the default.
const REGION_OF_ZONE: Record<string, CountryCode> = {
  'Europe/London': 'GB', 'Europe/Belfast': 'GB', 'Europe/Dublin': 'IE', 'Europe/Berlin': 'DE', 'Europe/Vienna': 'AT',
  'Europe/Zurich': 'CH', 'Europe/Paris': 'FR', 'Europe/Brussels': 'BE', 'Europe/Luxembourg': 'LU', 'Europe/Amsterdam': 'NL',
  'Europe/Madrid': 'ES', 'Europe/Lisbon': 'PT', 'Europe/Rome': 'IT', 'Europe/Copenhagen': 'DK', 'Europe/Stockholm': 'SE',
  'Europe/Oslo': 'NO', 'Europe/Helsinki': 'FI', 'Europe/Warsaw': 'PL', 'Europe/Prague': 'CZ', 'Europe/Athens': 'GR',
  'America/New_York': 'US', 'America/Chicago': 'US', 'America/Denver': 'US', 'America/Phoenix': 'US',
  'America/Los_Angeles': 'US', 'America/Anchorage': 'US', 'Pacific/Honolulu': 'US', 'America/Toronto': 'CA',
  'America/Vancouver': 'CA', 'Australia/Sydney': 'AU', 'Australia/Melbourne': 'AU', 'Australia/Perth': 'AU',
  'Pacific/Auckland': 'NZ', 'Asia/Tokyo': 'JP', 'Asia/Singapore': 'SG', 'Asia/Kolkata': 'IN', 'Africa/Johannesburg': 'ZA',
};

export async function phoneRegion(ctx: Ctx): Promise<CountryCode> {
  const org = await ctx.db.selectFrom('organisation').select('time_zone').executeTakeFirst();
  return (org && REGION_OF_ZONE[org.time_zone]) || DEFAULT_PHONE_REGION;
}

/** The E.164 form of a number, or null when it is not a valid phone number. */
export function toE164(raw: string, region: CountryCode): string | null {
  const attempt = (s: string) => {
    const n = parsePhoneNumberFromString(s, region);
    return n?.isValid() ? n.number : null;
  };
  // "0044..." is the international prefix of most of the world but not of the region's own
  // dialling plan everywhere (the US dials 011), so also read a leading 00 as "+".
  return attempt(raw) ?? (/^\s*00/.test(raw) ? attempt(raw.replace(/^\s*00/, '+')) : null);
}

export function invalidPhone(field: string, raw: string, region: CountryCode): DomainError {
  const message = `"${raw}" is not a valid phone number; write it with its country code (+44 20 7946 0958) or as dialled in ${region}`;
  return new DomainError(400, 'Invalid request', message, [{ field, rule: 'phone', message }]);
}

/** Normalises the numbers of one request, refusing the first invalid one by its position. */
export async function normalisePhones(ctx: Ctx, raws: string[], field = 'body.phones'): Promise<string[]> {
  if (!raws.length) return [];
  const region = await phoneRegion(ctx);
  const out = new Set<string>();
  raws.forEach((raw, i) => {
    const e164 = toE164(raw, region);
    if (!e164) throw invalidPhone(`${field}.${i}`, raw, region);
    out.add(e164);
  });
  return [...out];
}

/** The live customer this number belongs to, or null (also for something that is no number). */
export async function findCustomerByPhone(ctx: Ctx, phone: string): Promise<number | null> {
  const e164 = toE164(phone, await phoneRegion(ctx));
  if (!e164) return null;
  const row = await ctx.db
    .selectFrom('customer_phones')
    .innerJoin('customers', 'customers.id', 'customer_phones.customer_id')
    .select(sql<number>`coalesce(customers.merged_into_id, customers.id)`.as('id'))
    .where('customer_phones.phone', '=', e164)
    .orderBy('customers.id')
    .executeTakeFirst();
  return row ? Number(row.id) : null;
}

/**
 * Numbers stored before they were kept in E.164 are rewritten once the app starts (SQL cannot
 * parse phone numbers). One that the customer already has in E.164 is dropped rather than
 * kept twice; one that cannot be read stays as it was entered.
 */
export async function normaliseStoredPhones(ctx: Ctx): Promise<number> {
  return inTransaction(ctx, async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(72657002)`.execute(tx.db);
    const rows = await tx.db.selectFrom('customer_phones').select(['customer_id', 'phone'])
      .where('phone', '!~', '^\\+[1-9][0-9]{5,14}$').execute();
    if (!rows.length) return 0;
    const region = await phoneRegion(tx);
    let changed = 0;
    for (const { customer_id: customerId, phone } of rows) {
      const e164 = toE164(phone, region);
      if (!e164) continue;
      const row = tx.db.selectFrom('customer_phones').select('phone').where('customer_id', '=', customerId).where('phone', '=', e164);
      const same = tx.db.deleteFrom('customer_phones').where('customer_id', '=', customerId).where('phone', '=', phone);
      if (await row.executeTakeFirst()) await same.execute();
      else await tx.db.updateTable('customer_phones').set({ phone: e164 }).where('customer_id', '=', customerId).where('phone', '=', phone).execute();
      changed += 1;
    }
    return changed;
  });
}
