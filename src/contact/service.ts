/**
 * The web form: anyone may raise a request. The case opens through openCase (channel 'web'),
 * so the service standard's expected first response and resolution are set before anything
 * else happens, and the customer is told them on screen and by email. A known customer is
 * matched by email: no duplicate record, the message joins their story. Spam is kept out by a
 * honeypot field, size limits and per-address and per-IP rate limits counted in PostgreSQL; no
 * outside captcha service.
 */
import { sql } from 'kysely';
import type { Ctx } from '../core/context';
import { inTransaction } from '../core/context';
import { HOUR } from '../core/clock';
import { Invalid } from '../core/errors';
import { countHit } from '../core/rate-limit';
import { openCase } from '../cases';
import { findCustomerByPhone, getCustomer } from '../customers';
import { getSettings } from '../org';
import { queueEmail } from '../outbox';
import { addEntry } from '../timeline';
import { storeAttachments, linkAttachments } from '../email';
import { caseNumber, checkUploads, when, words, type Language } from '../portal';

export const FORM_LIMITS = { perEmail: 5, perIp: 30, windowMs: HOUR };

/** Request types from the service standards' case types; touchpoints used so far. */
export async function contactOptions(ctx: Ctx) {
  const [types, touchpoints] = await Promise.all([
    ctx.db.selectFrom('service_standards').select('case_type').distinct().where('case_type', 'is not', null).orderBy('case_type').execute(),
    // The distinct touchpoints by skipping through the index (one probe per value), not by reading every case.
    sql<{ touchpoint: string }>`WITH RECURSIVE used(touchpoint) AS (
        SELECT min(touchpoint) FROM cases WHERE touchpoint IS NOT NULL
        UNION ALL SELECT (SELECT min(c.touchpoint) FROM cases c WHERE c.touchpoint > used.touchpoint) FROM used WHERE used.touchpoint IS NOT NULL)
      SELECT touchpoint FROM (SELECT touchpoint FROM used WHERE touchpoint IS NOT NULL LIMIT 50) u
      UNION SELECT DISTINCT touchpoint FROM surveys WHERE touchpoint IS NOT NULL ORDER BY touchpoint LIMIT 50`.execute(ctx.db),
  ]);
  const list = types.map((t) => t.case_type!).filter((t) => t !== 'question');
  return { types: ['question', ...list], touchpoints: touchpoints.rows.map((r) => r.touchpoint) };
}

export interface ContactInput {
  name: string; email: string; phone?: string | null; subject: string; message: string; type: string; touchpoint?: string | null;
  language: Language; ip?: string; files: { filename: string; contentType: string | undefined; content: Buffer; size: number }[];
}

export async function submitContact(ctx: Ctx, input: ContactInput) {
  const email = input.email.trim().toLowerCase();
  await countHit(ctx, [
    { key: `form-email:${email}`, max: FORM_LIMITS.perEmail, windowMs: FORM_LIMITS.windowMs },
    ...(input.ip ? [{ key: `form-ip:${input.ip}`, max: FORM_LIMITS.perIp, windowMs: FORM_LIMITS.windowMs }] : []),
  ], 'Too many requests from here; wait before sending another');
  const options = await contactOptions(ctx);
  if (!options.types.includes(input.type)) throw new Invalid('type', 'one_of', `Choose one of: ${options.types.join(', ')}`);
  if (input.touchpoint && !options.touchpoints.includes(input.touchpoint)) throw new Invalid('touchpoint', 'one_of', 'Choose a touchpoint from the list');
  await checkUploads(input.files);
  return inTransaction({ ...ctx, actor: null }, async (tx) => {
    // Matched by email only: a phone number typed into a public form proves nothing about who owns it.
    const phone = input.phone?.trim() || null;
    const phoneFree = phone ? !(await findCustomerByPhone(tx, phone).catch(() => null)) : false;
    const c = await openCase(tx, {
      subject: input.subject, channel: 'web', type: input.type, touchpoint: input.touchpoint || null, message: input.message,
      customer: { name: input.name, emails: [email], phones: phone && phoneFree ? [phone] : [], language: input.language },
    });
    if (input.files.length) {
      const entry = await tx.db.selectFrom('case_entries').select('id').where('case_id', '=', c.id).where('kind', '=', 'inbound_message').orderBy('id').limit(1).executeTakeFirstOrThrow();
      const stored = await storeAttachments(tx, input.files.map((f) => ({ filename: f.filename, contentType: f.contentType ?? 'application/octet-stream', size: f.size, content: f.content })), { caseId: c.id, inboundEmailId: null });
      await linkAttachments(tx, stored, entry.id);
      await tx.db.updateTable('case_entries').set({ data: JSON.stringify({ via: 'web_form', attachments: stored }) }).where('id', '=', entry.id).execute();
    }
    const [customer, settings] = await Promise.all([getCustomer(tx, c.customerId), getSettings(tx)]);
    const language = (['en', 'de', 'fr'].includes(customer.language ?? '') ? customer.language : input.language) as Language;
    const w = words(language);
    const expected = c.firstResponseDueAt
      ? `${w.firstResponse}: ${when(language, settings.timeZone, c.firstResponseDueAt)}\n${w.resolution}: ${when(language, settings.timeZone, c.resolutionDueAt)}`
      : w.noStandard;
    const text = `${w.received}.\n\n${w.caseNumber}: ${caseNumber(c.id)}\n${expected}\n\n${w.portalHint} ${tx.config.publicUrl}/portal\n\n${settings.name}`;
    await queueEmail(tx, { caseId: c.id, entryId: null, kind: 'acknowledgement', to: email, subject: input.subject, text });
    await addEntry(tx, c.id, 'acknowledgement_sent', { authorId: null, body: text, data: { to: email, via: 'web_form' } });
    return { caseId: c.id, firstResponseDueAt: c.firstResponseDueAt, resolutionDueAt: c.resolutionDueAt, language, timeZone: settings.timeZone, org: settings.name };
  });
}
