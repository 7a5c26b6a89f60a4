/**
 * Never a storm: mail written by machines (auto-replies, bounces, mailing lists, our own mail
 * coming back) is recognised and recorded, but never answered automatically. The signals are
 * the standard ones: RFC 3834 Auto-Submitted, Precedence, the X-Autoreply family, delivery
 * status reports (RFC 3464), null senders, and our own Message-IDs.
 */
import type { ParsedMail } from 'mailparser';
import { isOurMessageId } from '../outbox';

const MACHINE_SENDERS = /^(mailer-daemon|postmaster|no-?reply|do-?not-?reply)@/i;

export function automaticReason(mail: ParsedMail, envelopeFrom: string | null): string | null {
  const h = mail.headers;
  const value = (name: string) => {
    const v = h.get(name);
    if (v === undefined || v === null) return null;
    return typeof v === 'string' ? v : typeof v === 'object' && 'value' in (v as object) ? String((v as { value: unknown }).value) : String(v);
  };
  if (isOurMessageId(mail.messageId)) return 'loop: this is our own message coming back';
  const autoSubmitted = value('auto-submitted');
  if (autoSubmitted && autoSubmitted.toLowerCase() !== 'no') return `Auto-Submitted: ${autoSubmitted}`;
  const precedence = value('precedence')?.toLowerCase();
  if (precedence && ['bulk', 'junk', 'list', 'auto_reply'].includes(precedence)) return `Precedence: ${precedence}`;
  for (const name of ['x-autoreply', 'x-autorespond', 'x-autoreply-from', 'x-mail-autoreply']) {
    if (value(name) !== null) return `${name} header`;
  }
  const contentType = h.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  if (contentType?.value === 'multipart/report' && /delivery-status|disposition-notification/i.test(contentType.params?.['report-type'] ?? '')) {
    return `delivery report (${contentType.params?.['report-type']})`;
  }
  if (envelopeFrom === '' ) return 'null sender (bounce)';
  const from = mail.from?.value[0]?.address ?? '';
  if (MACHINE_SENDERS.test(from)) return `machine sender ${from}`;
  return null;
}
