/**
 * What a message says about who wrote it, held to the same rules as a customer typed into the
 * workspace: the From address must pass the customer address rule (CustomerBody's), written
 * literally in the header. An address that only appears after decoding an encoded-word
 * (=?utf-8?q?...?=@example.com) is no address: RFC 2047 forbids encoded-words there, and it
 * is a way to smuggle another address past a reader. A message whose From fails is
 * quarantined with the reason, never stored as a customer's address.
 */
import type { ParsedMail } from 'mailparser';
import { CustomerBody } from '../customers/routes';

const Address = CustomerBody.shape.emails.unwrap().element;
const Name = CustomerBody.shape.name;

// C0 controls other than tab, newline and carriage return, and DEL: PostgreSQL cannot store NUL
// in text, and none of them is meant to be read. Built from a string to keep the source plain.
const CONTROLS = new RegExp('[\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]', 'g');
export const withoutControls = (s: string) => s.replace(CONTROLS, '');

/** Strip control characters from everything of the message that is filed or looked up. */
export function cleanMail(mail: ParsedMail): ParsedMail {
  if (mail.subject) mail.subject = withoutControls(mail.subject);
  if (mail.text) mail.text = withoutControls(mail.text);
  if (typeof mail.html === 'string') mail.html = withoutControls(mail.html);
  if (mail.messageId) mail.messageId = withoutControls(mail.messageId);
  if (mail.inReplyTo) mail.inReplyTo = withoutControls(mail.inReplyTo);
  if (mail.references) mail.references = Array.isArray(mail.references) ? mail.references.map(withoutControls) : withoutControls(mail.references);
  for (const a of mail.from?.value ?? []) a.name = withoutControls(a.name ?? '');
  for (const a of mail.attachments) if (a.filename) a.filename = withoutControls(a.filename);
  return mail;
}

/** A From header that names no valid address (unlike no sender at all, a machine's bounce may look like this). */
export class InvalidSender extends Error {}

/** The sender's address (lower case) and the name to greet them by. */
export function senderOf(mail: ParsedMail, envelopeFrom: string | null): { address: string; name: string } {
  const rawFrom = mail.headerLines.find((h) => h.key === 'from')?.line.slice(5).trim();
  const fromHeader = mail.from?.value.find((a) => a.address) ?? null;
  if (rawFrom !== undefined && !fromHeader) throw new InvalidSender(`invalid sender: the From header ${JSON.stringify(rawFrom.slice(0, 200))} names no valid email address`);
  const address = (fromHeader?.address ?? envelopeFrom ?? '').toLowerCase();
  if (!address) throw new Error('no sender address: neither From nor the envelope names one');
  const literal = !fromHeader || rawFrom!.toLowerCase().includes(address);
  if (!literal || !Address.safeParse(address).success) {
    throw new InvalidSender(`invalid sender: ${JSON.stringify((fromHeader ? rawFrom! : address).slice(0, 200))} is not a valid email address`);
  }
  const name = withoutControls(fromHeader?.name ?? '').replace(/\s+/g, ' ').trim().slice(0, 200);
  return { address, name: Name.safeParse(name).success ? name : address.split('@')[0]! };
}
