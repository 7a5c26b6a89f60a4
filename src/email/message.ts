/**
 * What a filed message says on the case, and what the acknowledgement says back: one definition
 * for filing one by one and filing a batch together (batch-filing.ts).
 */
import { createRequire } from 'node:module';
import type { ParsedMail } from 'mailparser';
import sanitizeHtml from 'sanitize-html';
import type { OrganisationSettings } from '../org';
import { caseReference } from '../outbox';
import type { Threading } from './threading';

const EmailReplyParser = createRequire(import.meta.url)('email-reply-parser') as new () => { read(text: string): { getVisibleText(): string } };

const MAX_HTML = 200_000;

/** A stored message as the filer claimed it. */
export type StoredRow = { id: number; attempts: number; envelope_from: string | null; envelope_to: string[] };

/** The timeline entry's body (quoted history folded) and data (sender, sanitised HTML, why it threads). */
export function messageData(inboundId: number, mail: ParsedMail, sender: string, automatic: string | null, thread: Threading) {
  const text = (mail.text ?? '').trim();
  const visible = text ? new EmailReplyParser().read(text).getVisibleText().trim() || text : '(no text)';
  const html = mail.html ? sanitizeHtml(mail.html).slice(0, MAX_HTML) : null;
  const data = {
    email: {
      inboundEmailId: inboundId, from: sender, subject: mail.subject ?? null, messageId: mail.messageId ?? null,
      html, quoted: visible !== text ? text.slice(0, MAX_HTML) : null, automatic,
      ...(thread.proof ? { threadedBecause: thread.proof } : {}), ...(thread.suspected ? { suspectedReference: thread.suspected } : {}),
    },
  };
  return { visible, data };
}

/**
 * The acknowledgement greets the customer by their form of address and states the expectation.
 * It names the owner only when routing gave the case one: an unowned case waits in a queue, and
 * telling the customer otherwise would be the first broken promise.
 */
const formats = new Map<string, Intl.DateTimeFormat>();
function dueFormat(timeZone: string) {
  let f = formats.get(timeZone);
  if (!f) formats.set(timeZone, f = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit', timeZone, timeZoneName: 'short' }));
  return f;
}

export function acknowledgementText(settings: Pick<OrganisationSettings, 'name' | 'timeZone'>, salutation: string, caseId: number, firstResponseDueAt: Date | null, owner: { name: string } | null) {
  const due = firstResponseDueAt ? dueFormat(settings.timeZone).format(firstResponseDueAt) : null;
  return [
    `Dear ${salutation},`,
    '',
    owner
      ? `Thank you for writing to ${settings.name}. Your message is with us as case ${caseReference(caseId)}, and ${owner.name} will look after it personally until it is resolved.`
      : `Thank you for writing to ${settings.name}. Your message is with us as case ${caseReference(caseId)}, waiting for the next available person in our team.`,
    due ? `You will have a personal answer by ${due}.` : 'You will have a personal answer as soon as we can.',
    '',
    'If you want to add anything, simply reply to this email.',
    '',
    `${settings.name}`,
  ].join('\n');
}
