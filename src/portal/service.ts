/**
 * The customer's portal. A customer signs in with a single-use magic link sent to an address
 * on their record (15 minutes), and sees only their own cases (cases of records merged into
 * theirs moved with the merge): the public conversation (their messages, our replies, notes
 * and call summaries staff marked public), the promises made to them, who owns each case and
 * the expected times. Never internal notes, audit, or anyone else's data: everything here is
 * looked up through the signed-in customer, and another customer's id answers "not found".
 * Asking for a link answers the same whether the address is known or not.
 */
import { sql } from 'kysely';
import type { Ctx } from '../core/context';
import { inTransaction } from '../core/context';
import { DAY, MINUTE } from '../core/clock';
import { Conflict, NotFound } from '../core/errors';
import { newToken, tokenHash } from '../core/passwords';
import { countHit } from '../core/rate-limit';
import { findCustomerByEmail, getCustomer, updateCustomer, type Channel } from '../customers';
import { addMessage, setStatusByCustomer } from '../cases';
import { getSettings } from '../org';
import { queueEmail } from '../outbox';
import { publish } from '../events';
import { addEntry } from '../timeline';
import { answerInvitation } from '../surveys/service';
import { words, type Language, languageOf } from './words';
import { checkUploads, type Upload } from './uploads';
import { storeAttachments, linkAttachments } from '../email';

export const LINK_TTL_MS = 15 * MINUTE;
export const SESSION_TTL_MS = 12 * 60 * MINUTE;
export const REMEMBER_TTL_MS = 30 * DAY;
const LINK_LIMITS = { perEmail: 5, perIp: 30, windowMs: 15 * MINUTE };

/** Public conversation: what the customer wrote, what we answered, and what staff marked public. */
const PUBLIC_KINDS = ['inbound_message', 'outbound_reply'] as const;
const MAYBE_PUBLIC = ['internal_note', 'phone_call'] as const;

export async function requestLink(ctx: Ctx, input: { email: string; language: Language; ip?: string }) {
  const email = input.email.trim().toLowerCase();
  await countHit(ctx, [
    { key: `link-email:${email}`, max: LINK_LIMITS.perEmail, windowMs: LINK_LIMITS.windowMs },
    ...(input.ip ? [{ key: `link-ip:${input.ip}`, max: LINK_LIMITS.perIp, windowMs: LINK_LIMITS.windowMs }] : []),
  ], 'Too many sign-in links asked for; wait before asking again');
  const customerId = await findCustomerByEmail(ctx, email);
  if (!customerId) return; // the same answer either way: nothing says whether the address is known
  await inTransaction({ ...ctx, actor: null }, async (tx) => {
    const customer = await getCustomer(tx, customerId);
    const language = languageOf(customer.language) ?? input.language;
    const { token, hash } = newToken('pl');
    const now = tx.clock.now();
    await tx.db.insertInto('portal_links').values({ customer_id: customerId, token_hash: hash, language, created_at: now, expires_at: new Date(now.getTime() + LINK_TTL_MS) }).execute();
    const w = words(language);
    const settings = await getSettings(tx);
    await queueEmail(tx, {
      caseId: null, entryId: null, kind: 'acknowledgement', to: email, subject: `${settings.name}: ${w.linkSubject}`,
      text: `${w.linkBody}\n\n${tx.config.publicUrl}/portal/sign-in/${token}\n\n${w.linkIgnore}\n\n${settings.name}`,
    });
  });
}

/** The link is spent on use; a session (12 hours, or 30 days on a remembered device) begins. */
export async function signInWithLink(ctx: Ctx, token: string, remember: boolean) {
  return inTransaction({ ...ctx, actor: null }, async (tx) => {
    const now = tx.clock.now();
    const link = await tx.db.selectFrom('portal_links').selectAll().where('token_hash', '=', tokenHash(token)).forUpdate().executeTakeFirst();
    if (!link || link.used_at || link.expires_at <= now) throw new NotFound('Sign-in link', 'given'); // one answer for guessed, spent and expired
    await tx.db.updateTable('portal_links').set({ used_at: now }).where('id', '=', link.id).execute();
    const session = newToken('ps');
    const expiresAt = new Date(now.getTime() + (remember ? REMEMBER_TTL_MS : SESSION_TTL_MS));
    await tx.db.insertInto('portal_sessions').values({ customer_id: link.customer_id, token_hash: session.hash, remember, created_at: now, expires_at: expiresAt }).execute();
    return { token: session.token, expiresAt, remember };
  });
}

/** Whose session this is (the surviving record if theirs was merged), or null. */
export async function sessionCustomer(ctx: Ctx, token: string): Promise<number | null> {
  const row = await ctx.db.selectFrom('portal_sessions')
    .innerJoin('customers', 'customers.id', 'portal_sessions.customer_id')
    .select(['customers.id', 'customers.merged_into_id'])
    .where('portal_sessions.token_hash', '=', tokenHash(token))
    .where('portal_sessions.expires_at', '>', ctx.clock.now())
    .executeTakeFirst();
  if (!row) return null;
  return row.merged_into_id ?? row.id;
}

export async function signOut(ctx: Ctx, token: string) {
  await ctx.db.deleteFrom('portal_sessions').where('token_hash', '=', tokenHash(token)).execute();
}

/** The signed-in customer's profile: how they wish to be addressed, language, channel, contact details. */
export async function myProfile(ctx: Ctx, customerId: number) {
  const c = await getCustomer(ctx, customerId);
  return { title: c.title, givenName: c.givenName, familyName: c.familyName, firstNameOk: c.firstNameOk, language: c.language, preferredChannel: c.preferredChannel, emails: c.emails, phones: c.phones, salutation: c.salutation, name: c.name };
}

export async function updateMyProfile(ctx: Ctx, customerId: number, patch: { title?: string | null; givenName?: string | null; familyName?: string | null; firstNameOk?: boolean; language?: Language; preferredChannel?: Channel | null; phones?: string[] }) {
  const name = [patch.givenName, patch.familyName].filter(Boolean).join(' ');
  return updateCustomer({ ...ctx, actor: null }, customerId, { ...patch, ...(name ? { name } : {}) });
}

function firstName(full: string | null) {
  return full ? full.trim().split(/\s+/)[0]! : null;
}

/** My cases, newest first: status, owner's first name and team, expected times and whether they were met. */
export async function myCases(ctx: Ctx, customerId: number) {
  const rows = await ctx.db.selectFrom('cases')
    .leftJoin('staff', 'staff.id', 'cases.owner_id')
    .leftJoin('teams', 'teams.id', 'cases.team_id')
    .select(['cases.id', 'cases.subject', 'cases.status', 'cases.opened_at as openedAt', 'cases.first_response_due_at as firstResponseDueAt',
      'cases.first_responded_at as firstRespondedAt', 'cases.resolution_due_at as resolutionDueAt', 'cases.resolved_at as resolvedAt',
      'staff.name as ownerName', 'teams.name as teamName'])
    .where('cases.customer_id', '=', customerId)
    .orderBy('cases.id', 'desc')
    .limit(100)
    .execute();
  return rows.map(({ ownerName, ...r }) => ({ ...r, ownerFirstName: firstName(ownerName) }));
}

/** One of my cases, or "not found" (the same answer for a case that exists but is someone else's). */
async function myCaseRow(ctx: Ctx, customerId: number, caseId: number) {
  const row = await ctx.db.selectFrom('cases')
    .leftJoin('staff', 'staff.id', 'cases.owner_id')
    .leftJoin('teams', 'teams.id', 'cases.team_id')
    .select(['cases.id', 'cases.subject', 'cases.status', 'cases.channel', 'cases.opened_at as openedAt', 'cases.first_response_due_at as firstResponseDueAt',
      'cases.first_responded_at as firstRespondedAt', 'cases.resolution_due_at as resolutionDueAt', 'cases.resolved_at as resolvedAt',
      'cases.closed_at as closedAt', 'cases.customer_viewed_reply_at as viewedReplyAt', 'staff.name as ownerName', 'teams.name as teamName'])
    .where('cases.id', '=', caseId)
    .where('cases.customer_id', '=', customerId)
    .executeTakeFirst();
  if (!row) throw new NotFound('Case', caseId);
  return row;
}

export async function myCase(ctx: Ctx, customerId: number, caseId: number) {
  const { ownerName, ...c } = await myCaseRow(ctx, customerId, caseId);
  const [conversation, promises, attachments, settings] = await Promise.all([
    ctx.db.selectFrom('case_entries').leftJoin('staff', 'staff.id', 'case_entries.author_id')
      .select(['case_entries.id', 'case_entries.kind', 'case_entries.body', 'case_entries.created_at as createdAt', 'staff.name as authorName'])
      .where('case_entries.case_id', '=', caseId)
      .where((eb) => eb.or([
        eb('case_entries.kind', 'in', PUBLIC_KINDS),
        eb.and([eb('case_entries.kind', 'in', MAYBE_PUBLIC), sql<boolean>`case_entries.data->>'public' = 'true'`]),
      ]))
      .orderBy('case_entries.id').limit(500).execute(),
    ctx.db.selectFrom('commitments')
      .select(['id', 'text', 'status', 'due_at as dueAt', 'created_at as createdAt', 'kept_at as keptAt', 'broken_at as brokenAt', 'renegotiation_count as renegotiationCount'])
      .select((eb) => eb.selectFrom('commitment_renegotiations').select('previous_due_at').whereRef('commitment_id', '=', 'commitments.id').orderBy('id').limit(1).as('firstDueAt'))
      .where('case_id', '=', caseId).where('customer_id', '=', customerId).where('kind', '=', 'promise')
      .orderBy('due_at').execute(),
    ctx.db.selectFrom('attachments').innerJoin('case_entries', 'case_entries.id', 'attachments.entry_id')
      .select(['attachments.id', 'attachments.entry_id as entryId', 'attachments.filename', 'attachments.size'])
      .where('attachments.case_id', '=', caseId).where('case_entries.kind', 'in', PUBLIC_KINDS).execute(),
    getSettings(ctx),
  ]);
  const reopenUntil = c.resolvedAt && (c.status === 'resolved' || c.status === 'closed') ? new Date(new Date(c.resolvedAt).getTime() + settings.portalReopenDays * DAY) : null;
  return {
    ...c,
    ownerFirstName: firstName(ownerName),
    conversation: conversation.map(({ authorName, ...e }) => ({ ...e, from: e.kind === 'inbound_message' ? 'me' as const : 'us' as const, authorFirstName: e.kind === 'inbound_message' ? null : firstName(authorName), attachments: attachments.filter((a) => a.entryId === e.id) })),
    promises,
    canReopen: !!reopenUntil && reopenUntil > ctx.clock.now(),
    reopenUntil,
    canClose: c.status !== 'closed',
  };
}

/**
 * Opening a case after our latest reply: staff see that the customer has read it (once per
 * reply, so a reload is not a new event).
 */
export async function markRepliesViewed(ctx: Ctx, customerId: number, caseId: number) {
  await inTransaction({ ...ctx, actor: null }, async (tx) => {
    const c = await myCaseRow(tx, customerId, caseId);
    const latest = await tx.db.selectFrom('case_entries').select(['id', 'created_at']).where('case_id', '=', caseId).where('kind', '=', 'outbound_reply').orderBy('id', 'desc').limit(1).executeTakeFirst();
    if (!latest || (c.viewedReplyAt && c.viewedReplyAt >= latest.created_at)) return;
    const now = tx.clock.now();
    await tx.db.updateTable('cases').set({ customer_viewed_reply_at: now }).where('id', '=', caseId).execute();
    await addEntry(tx, caseId, 'reply_viewed', { authorId: null, data: { entryId: latest.id } });
    await publish(tx, 'portal.reply_viewed', { caseId, customerId }, { caseId, entryId: latest.id, viewedAt: now });
  });
}

/** The customer's reply, with any files, in one transaction: a message from the customer, via the portal. */
export async function replyToMyCase(ctx: Ctx, customerId: number, caseId: number, body: string, files: Upload[] = []) {
  await myCaseRow(ctx, customerId, caseId);
  await checkUploads(files);
  return inTransaction({ ...ctx, actor: null }, async (tx) => {
    const entry = await addMessage(tx, caseId, 'inbound_message', { body, data: { via: 'portal' } });
    if (files.length) {
      const stored = await storeAttachments(tx, files.map((f) => ({ ...f, contentType: f.contentType ?? 'application/octet-stream' })), { caseId, inboundEmailId: null });
      await linkAttachments(tx, stored, entry.id);
      await tx.db.updateTable('case_entries').set({ data: JSON.stringify({ via: 'portal', attachments: stored }) }).where('id', '=', entry.id).execute();
    }
    return entry;
  });
}

export async function closeMyCase(ctx: Ctx, customerId: number, caseId: number) {
  const c = await myCaseRow(ctx, customerId, caseId);
  if (c.status === 'closed') throw new Conflict('This case is already closed');
  return setStatusByCustomer(ctx, caseId, 'closed');
}

export async function reopenMyCase(ctx: Ctx, customerId: number, caseId: number) {
  const c = await myCase(ctx, customerId, caseId);
  if (!c.canReopen) throw new Conflict('This case can no longer be reopened here: please send us a new request');
  return setStatusByCustomer(ctx, caseId, 'waiting_on_us');
}

/** "I had to repeat myself": on the timeline and the stream, counted for tell-the-story-once. */
export async function flagRepeat(ctx: Ctx, customerId: number, caseId: number, note: string | null) {
  await myCaseRow(ctx, customerId, caseId);
  await inTransaction({ ...ctx, actor: null }, async (tx) => {
    const entry = await addEntry(tx, caseId, 'repeat_flagged', { authorId: null, body: note, data: { by: 'customer' } });
    await publish(tx, 'case.repeat_flagged', { caseId, customerId }, { caseId, entryId: entry.id, by: 'customer', note });
  });
}

/** An attachment on my public conversation, or "not found". */
export async function myAttachment(ctx: Ctx, customerId: number, id: number) {
  const row = await ctx.db.selectFrom('attachments')
    .innerJoin('cases', 'cases.id', 'attachments.case_id')
    .innerJoin('case_entries', 'case_entries.id', 'attachments.entry_id')
    .select(['attachments.id', 'attachments.filename', 'attachments.content_type as contentType', 'attachments.sha256', 'attachments.size'])
    .where('attachments.id', '=', id).where('cases.customer_id', '=', customerId).where('case_entries.kind', 'in', PUBLIC_KINDS)
    .executeTakeFirst();
  if (!row) throw new NotFound('Attachment', id);
  return row;
}

/** Surveys waiting for me: not answered, not expired. */
export async function mySurveys(ctx: Ctx, customerId: number) {
  return ctx.db.selectFrom('survey_invitations')
    .innerJoin('surveys', 'surveys.id', 'survey_invitations.survey_id')
    .leftJoin('survey_responses', 'survey_responses.invitation_id', 'survey_invitations.id')
    .select(['survey_invitations.id', 'survey_invitations.case_id as caseId', 'surveys.questions', 'survey_invitations.expires_at as expiresAt'])
    .where('survey_invitations.customer_id', '=', customerId)
    .where('survey_invitations.expires_at', '>', ctx.clock.now())
    .where('survey_responses.completed_at', 'is', null)
    .orderBy('survey_invitations.id', 'desc').limit(20).execute();
}

export async function mySurvey(ctx: Ctx, customerId: number, invitationId: number) {
  const s = (await mySurveys(ctx, customerId)).find((x) => x.id === invitationId);
  if (!s) throw new NotFound('Survey', invitationId);
  return s;
}

/** Answered in place, with the same rules as the emailed link: once, before it expires. */
export async function answerMySurvey(ctx: Ctx, customerId: number, invitationId: number, answers: Record<string, unknown>) {
  await mySurvey(ctx, customerId, invitationId);
  return answerInvitation(ctx, invitationId, answers, true);
}

/** Timer: spent and expired links and sessions are forgotten a day after they stop working. */
export async function forgetExpiredSignIns(ctx: Ctx): Promise<number> {
  const before = new Date(ctx.clock.now().getTime() - DAY);
  const links = await ctx.db.deleteFrom('portal_links').where('id', 'in', (q) => q.selectFrom('portal_links').select('id').where('expires_at', '<', before).limit(500)).executeTakeFirst();
  const sessions = await ctx.db.deleteFrom('portal_sessions').where('id', 'in', (q) => q.selectFrom('portal_sessions').select('id').where('expires_at', '<', before).limit(500)).executeTakeFirst();
  return Number(links.numDeletedRows) + Number(sessions.numDeletedRows);
}
