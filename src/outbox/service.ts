/**
 * Outgoing email: replies and acknowledgements are queued in the same transaction as the
 * reply itself, then delivered by a timer with retries and backoff. Each carries Message-ID,
 * In-Reply-To and References so the customer's mail program threads it, and the case
 * reference with the case's secret, [K-123-secret], in the subject and in the Reply-To
 * plus-address: a case number alone is guessable, so it never proves a reply belongs to a
 * case (see email/threading.ts). A permanent failure is shown on the case.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Ctx } from '../core/context';
import { writeLater } from '../core/db/pipeline';
import { inTransaction } from '../core/context';
import { MINUTE } from '../core/clock';
import { addEntry } from '../timeline';
import { notify } from '../notifications';
import { outboxConfig } from './config';
import { attachmentPath } from '../email/attachments';

const BACKOFF_MINUTES = [1, 5, 30, 120, 360];

export const caseReference = (caseId: number) => `K-${caseId}`;

/**
 * Random through and through: quoting one of our Message-IDs is proof of having received our
 * mail, so it must not be derivable from the case number. outbound_emails maps it to the case.
 */
export function newMessageId(): string {
  return `<kept.${randomBytes(18).toString('base64url')}@${outboxConfig().domain}>`;
}

/** Our own Message-IDs are recognisable (also the older <K-12.…> form): mail carrying one back to us is a loop. */
export function isOurMessageId(id: string | undefined | null): boolean {
  return !!id && (id.startsWith('<kept.') || id.startsWith('<K-')) && id.endsWith(`@${outboxConfig().domain}>`);
}

// Lower-case letters and digits only: mail servers may fold the case of an address's local part.
const SECRET_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const SECRET_LENGTH = 10;

function newSecret() {
  return [...randomBytes(SECRET_LENGTH)].map((b) => SECRET_ALPHABET[b & 31]).join('');
}

/** The case's secret: the one its earlier mail carried, else a new one (kept with this mail). */
async function secretOf(ctx: Ctx, caseId: number) {
  const row = await ctx.db.selectFrom('outbound_emails').select('reply_secret').where('case_id', '=', caseId)
    .where('reply_secret', 'is not', null).orderBy('id').limit(1).executeTakeFirst();
  return row?.reply_secret ?? newSecret();
}

/** Whether this secret was sent out on this case's mail, so whoever carries it back received that mail. */
export async function isCaseSecret(ctx: Ctx, caseId: number, secret: string): Promise<boolean> {
  if (!Number.isSafeInteger(caseId)) return false;
  const row = await ctx.db.selectFrom('outbound_emails').select('id').where('case_id', '=', caseId)
    .where('reply_secret', '=', secret.toLowerCase()).limit(1).executeTakeFirst();
  return !!row;
}

const SUBJECT_TOKEN = /\[K-(\d{1,15})(?:-([a-z0-9]{1,40}))?\]/gi;
const ADDRESS_TOKEN = /\+k(\d{1,15})\.([a-z0-9]{1,40})@/i;

/** Every case reference in a subject: [K-12-secret], or the older bare [K-12] (secret null). */
export function subjectReferences(subject: string): { caseId: number; secret: string | null }[] {
  return [...subject.matchAll(SUBJECT_TOKEN)].map((m) => ({ caseId: Number(m[1]), secret: m[2]?.toLowerCase() ?? null }));
}

/** The case reference in one of our reply addresses, support+k12.secret@domain. */
export function addressReference(address: string): { caseId: number; secret: string } | null {
  const m = ADDRESS_TOKEN.exec(address);
  return m ? { caseId: Number(m[1]), secret: m[2]!.toLowerCase() } : null;
}

/** The subject without any case reference, for a new case's own subject. */
export function withoutCaseReference(subject: string): string {
  return subject.replace(SUBJECT_TOKEN, '').replace(/\s{2,}/g, ' ').trim();
}

/** Our From address with the case's token as plus-address: replies to it prove receipt. */
function replyAddress(caseId: number, secret: string): string | null {
  const { from } = outboxConfig();
  const m = /^(.*?)<?([^<>\s@]+)@([^<>\s@]+?)>?\s*$/.exec(from);
  if (!m) return null;
  const name = m[1]!.trim();
  const address = `${m[2]}+k${caseId}.${secret}@${m[3]}`;
  return name ? `${name} <${address}>` : address;
}

function escapeHtml(s: string) {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function textToHtml(text: string): string {
  const paragraphs = text.trim().split(/\n{2,}/).map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`);
  return `<!doctype html><html><body style="font-family: sans-serif; line-height: 1.5">${paragraphs.join('\n')}</body></html>`;
}

const SAFE_LINK = /^(https?:\/\/|mailto:)/i;

/** One line of a reply: escaped first, then only **bold** and [text](http/https/mailto link) become markup. */
function inlineMarks(line: string) {
  return escapeHtml(line)
    .replace(/\*\*([^*\n]+?)\*\*/g, '<strong>$1</strong>')
    .replace(/\[([^\]\n]+)\]\(([^)\s]+)\)/g, (whole, label: string, url: string) => (SAFE_LINK.test(url) ? `<a href="${url}">${label}</a>` : whole));
}

/**
 * The HTML part of a reply written with the composer's plain marks (**bold**, "- " lists,
 * [text](url)); the text part keeps the marks as written. Everything is escaped, then only
 * those marks are converted; links only to http, https and mailto.
 */
export function marksToHtml(text: string): string {
  const paragraphs = text.trim().split(/\n{2,}/).map((p) => {
    const out: string[] = [];
    let lines: string[] = [];
    let items: string[] = [];
    const flush = () => {
      if (lines.length) out.push(`<p>${lines.join('<br>')}</p>`);
      if (items.length) out.push(`<ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>`);
      lines = [];
      items = [];
    };
    for (const line of p.split('\n')) {
      const item = /^\s*-\s+(.*)$/.exec(line);
      if (item) {
        if (lines.length) flush();
        items.push(inlineMarks(item[1]!));
      } else {
        if (items.length) flush();
        lines.push(inlineMarks(line));
      }
    }
    flush();
    return out.join('\n');
  });
  return `<!doctype html><html><body style="font-family: sans-serif; line-height: 1.5">${paragraphs.join('\n')}</body></html>`;
}

function subjectFor(subject: string, caseId: number, secret: string) {
  const clean = withoutCaseReference(subject.replace(/^\s*(re|fw|fwd|aw|sv)\s*:\s*/i, ''));
  return `Re: ${clean} [${caseReference(caseId)}-${secret}]`;
}

/**
 * The thread so far, in one query: every Message-ID on the case (newest 50, oldest first, for
 * References), the customer's latest one (In-Reply-To) and the address it came from.
 */
async function threadOf(ctx: Ctx, caseId: number) {
  // The case's reply secret comes along (one round trip, not two): whenever the case has sent
  // mail, its outbound rows are in t, so a secret there is never missed for want of a row.
  const { rows } = await sql<{ message_id: string; sender: string | null; inbound: boolean; secret: string | null }>`
    SELECT message_id, sender, inbound,
           (SELECT reply_secret FROM outbound_emails WHERE case_id = ${caseId} AND reply_secret IS NOT NULL ORDER BY id LIMIT 1) AS secret
    FROM (
      SELECT message_id, envelope_from AS sender, true AS inbound, received_at AS at, id FROM inbound_emails WHERE case_id = ${caseId} AND message_id IS NOT NULL
      UNION ALL
      SELECT message_id, NULL, false, created_at, id FROM outbound_emails WHERE case_id = ${caseId}
    ) t ORDER BY at DESC, id DESC LIMIT 50`.execute(ctx.db);
  const latestInbound = rows.find((r) => r.inbound);
  return { inReplyTo: latestInbound?.message_id ?? null, lastSender: latestInbound?.sender ?? null, references: rows.map((r) => r.message_id).reverse(), secret: rows[0]?.secret ?? null };
}

type Thread = Awaited<ReturnType<typeof threadOf>>;

type NewEmail = { caseId: number | null; entryId: number | null; kind: 'reply' | 'acknowledgement' | 'survey'; to: string; subject: string; text: string; html?: string };

export async function queueEmail(ctx: Ctx, mail: NewEmail, known?: Thread) {
  return ctx.db.insertInto('outbound_emails').values(await emailRow(ctx, mail, known)).returning(['id', 'message_id']).executeTakeFirstOrThrow();
}

/**
 * Several emails in one statement, each with its thread known to the caller (email filing
 * acknowledges a batch of new cases at once); ids and Message-IDs in the order given.
 */
export async function queueEmails(ctx: Ctx, mails: { mail: NewEmail; thread: Thread }[]) {
  if (!mails.length) return [];
  const rows = await Promise.all(mails.map(({ mail, thread }) => emailRow(ctx, mail, thread)));
  const written = await ctx.db.insertInto('outbound_emails').values(rows).returning(['id', 'message_id']).execute();
  // Matched by Message-ID (each is new and unique), whatever order RETURNING gives.
  const byMessageId = new Map(written.map((w) => [w.message_id, w]));
  return rows.map((r) => byMessageId.get(r.message_id)!);
}

async function emailRow(ctx: Ctx, mail: NewEmail, known?: Thread) {
  const thread = known ?? (mail.caseId && mail.kind !== 'survey' ? await threadOf(ctx, mail.caseId) : { inReplyTo: null, references: [] });
  const now = ctx.clock.now();
  const secret = !mail.caseId ? null : 'secret' in thread ? thread.secret ?? newSecret() : await secretOf(ctx, mail.caseId);
  return {
    case_id: mail.caseId,
    entry_id: mail.entryId,
    kind: mail.kind,
    to_address: mail.to,
    subject: mail.kind === 'survey' || !mail.caseId || !secret ? mail.subject : subjectFor(mail.subject, mail.caseId, secret),
    message_id: newMessageId(),
    reply_secret: secret,
    reply_to: mail.caseId && secret ? replyAddress(mail.caseId, secret) : null,
    in_reply_to: thread.inReplyTo,
    references: thread.references,
    text_body: mail.text,
    html_body: mail.html ?? textToHtml(mail.text),
    next_attempt_at: now,
    created_at: now,
  };
}

/**
 * A reply goes out by email when the case came by email or the customer prefers email, and we
 * have an address for them: the one they last wrote from, else their first on file.
 */
export async function queueReplyEmail(
  ctx: Ctx,
  c: { id: number; subject: string; channel: string },
  customer: { preferredChannel: string | null; emails: string[] },
  entryId: number,
  body: string,
) {
  // A case from the web form or the portal is answered in the portal and the customer told by email.
  if (c.channel !== 'email' && c.channel !== 'web' && customer.preferredChannel !== 'email') return null;
  const thread = await threadOf(ctx, c.id);
  const to = thread.lastSender ?? customer.emails[0];
  if (!to) return null;
  const text = c.channel === 'web' ? `${body}\n\n—\n${ctx.config.publicUrl}/portal/cases/${c.id}` : body;
  // Nobody reads the new row's id: it goes with the reply's next statement or its COMMIT.
  await writeLater(ctx.db, ctx.db.insertInto('outbound_emails').values(await emailRow(ctx, { caseId: c.id, entryId, kind: 'reply', to, subject: c.subject, text, html: marksToHtml(text) }, thread)));
}

/**
 * Where a reply written on this case goes, by the same rule as queueReplyEmail, so the composer
 * can say it before sending: by email to an address, or nowhere (recorded on the case only) and why.
 */
export async function replyRoute(
  ctx: Ctx,
  c: { id: number; channel: string },
  customer: { preferredChannel: string | null; emails: string[] },
): Promise<{ channel: 'email'; to: string } | { channel: null; reason: string }> {
  if (c.channel !== 'email' && customer.preferredChannel !== 'email') {
    return { channel: null, reason: `the case came by ${c.channel.replace(/_/g, ' ')} and the customer prefers ${customer.preferredChannel?.replace(/_/g, ' ') ?? 'no channel'}: a reply is recorded on the case but not sent` };
  }
  const to = (await threadOf(ctx, c.id)).lastSender ?? customer.emails[0];
  return to ? { channel: 'email', to } : { channel: null, reason: 'the customer has no email address: a reply is recorded on the case but not sent' };
}

/** Timer: deliver what is due; retry with backoff; after the last try, show the failure on the case. */
export async function deliverDueEmails(ctx: Ctx): Promise<number> {
  const { transport, from } = outboxConfig();
  if (!transport) return 0;
  return inTransaction({ ...ctx, actor: null }, async (tx) => {
    const due = await tx.db
      .selectFrom('outbound_emails')
      .selectAll()
      .where('status', '=', 'queued')
      .where('next_attempt_at', '<=', tx.clock.now())
      .orderBy('next_attempt_at')
      .limit(20)
      .forNoKeyUpdate()
      .skipLocked()
      .execute();
    const templates = new Map<number, { text: string; html: string }>();
    for (const m of due) {
      try {
        const { text, html } = m.template_id ? merged(await templateOf(tx, templates, m.template_id), m.merge ?? {}) : { text: m.text_body, html: m.html_body };
        // A reply carries the files uploaded for it (linked to its timeline entry), read from the store.
        const files = m.kind === 'reply' && m.entry_id
          ? await tx.db.selectFrom('attachments').select(['filename', 'content_type', 'sha256']).where('entry_id', '=', m.entry_id).where('inbound_email_id', 'is', null).orderBy('id').execute()
          : [];
        await transport.sendMail({
          attachments: files.map((f) => ({ filename: f.filename, contentType: f.content_type, path: attachmentPath(f.sha256) })),
          from, to: m.to_address, subject: m.subject, messageId: m.message_id, replyTo: m.reply_to ?? undefined,
          inReplyTo: m.in_reply_to ?? undefined, references: m.references.length ? m.references : undefined,
          text, html,
          headers: m.kind !== 'reply' ? { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' } : {},
        });
        await tx.db.updateTable('outbound_emails').set({ status: 'sent', sent_at: tx.clock.now(), attempts: m.attempts + 1, last_error: null }).where('id', '=', m.id).execute();
      } catch (e) {
        const err = e as { responseCode?: number; message: string };
        const attempts = m.attempts + 1;
        const permanent = (err.responseCode !== undefined && err.responseCode >= 500) || attempts > BACKOFF_MINUTES.length;
        const wait = BACKOFF_MINUTES[Math.min(attempts - 1, BACKOFF_MINUTES.length - 1)]! * MINUTE;
        await tx.db.updateTable('outbound_emails').set({
          status: permanent ? 'failed' : 'queued', attempts, last_error: err.message.slice(0, 1000),
          next_attempt_at: new Date(tx.clock.now().getTime() + wait),
        }).where('id', '=', m.id).execute();
        if (permanent && m.case_id) {
          await addEntry(tx, m.case_id, 'email_failed', { authorId: null, body: err.message.slice(0, 1000), data: { outboundEmailId: m.id, to: m.to_address, attempts } });
          const owner = await tx.db.selectFrom('cases').select('owner_id').where('id', '=', m.case_id).executeTakeFirst();
          if (owner?.owner_id) await notify(tx, owner.owner_id, 'email_failed', `An email to ${m.to_address} could not be delivered: ${err.message.slice(0, 200)}`, m.case_id);
        }
      }
    }
    return due.length;
  });
}

/** A mail-merge template, read once per sweep. */
async function templateOf(ctx: Ctx, cache: Map<number, { text: string; html: string }>, id: number) {
  if (!cache.has(id)) {
    const t = await ctx.db.selectFrom('outbound_templates').select(['text_body', 'html_body']).where('id', '=', id).executeTakeFirstOrThrow();
    cache.set(id, { text: t.text_body, html: t.html_body });
  }
  return cache.get(id)!;
}

/** Fills a template's \u0001key\u0001 places: as given in the text part, escaped in the HTML part. */
export function merged(template: { text: string; html: string }, values: Record<string, string>) {
  let { text, html } = template;
  for (const [key, value] of Object.entries(values)) {
    const place = `\u0001${key}\u0001`;
    text = text.replaceAll(place, value);
    html = html.replaceAll(place, escapeHtml(value));
  }
  return { text, html };
}

export async function emailsOfCase(ctx: Ctx, caseId: number) {
  return ctx.db.selectFrom('outbound_emails')
    .select(['id', 'kind', 'to_address as to', 'subject', 'message_id as messageId', 'status', 'attempts', 'last_error as lastError', 'created_at as createdAt', 'sent_at as sentAt', 'entry_id as entryId'])
    .where('case_id', '=', caseId).orderBy('id').execute();
}
