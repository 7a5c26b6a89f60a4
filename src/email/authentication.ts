/**
 * Whether the receiving mail server vouches for the sender's domain: a DKIM, SPF or DMARC pass
 * for the From domain in an Authentication-Results header (RFC 8601). Anyone can write such a
 * header into a message, so only those written by a server we name count (its authserv-id,
 * KEPT_MAIL_TRUSTED_AUTHSERV_IDS); that server must remove copies of its own header arriving
 * from outside, as RFC 8601 section 5 requires. Trusting nobody is the default.
 */
import type { ParsedMail } from 'mailparser';

let trusted: string[] = [];

export function configureMailTrust(opts: { authservIds?: string[] }) {
  trusted = (opts.authservIds ?? []).map((s) => s.trim().toLowerCase()).filter(Boolean);
}

const domainOf = (v: string) => v.slice(v.lastIndexOf('@') + 1).toLowerCase();

/** "dkim=pass" (or spf, dmarc) when a trusted server says so for this domain; null otherwise. */
export function domainAuthenticated(mail: ParsedMail, fromDomain: string): string | null {
  if (!trusted.length) return null;
  const domain = fromDomain.toLowerCase();
  for (const h of mail.headerLines) {
    if (h.key !== 'authentication-results') continue;
    // Unfold, drop comments, split into the authserv-id and its results.
    const value = h.line.slice(h.line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').replace(/\([^()]*\)/g, ' ');
    const [head, ...results] = value.split(';');
    const authserv = head?.trim().split(/\s+/)[0]?.toLowerCase();
    if (!authserv || !trusted.includes(authserv)) continue;
    for (const r of results) {
      const words = r.trim().split(/\s+/);
      const [method, result] = (words[0] ?? '').toLowerCase().split('=');
      if (result !== 'pass') continue;
      const props = new Map(words.slice(1).map((w) => {
        const i = w.indexOf('=');
        return [w.slice(0, i).toLowerCase(), w.slice(i + 1).replace(/^"|"$/g, '')] as const;
      }));
      const vouched =
        (method === 'dmarc' && props.get('header.from')?.toLowerCase() === domain) ||
        (method === 'dkim' && (props.get('header.d')?.toLowerCase() === domain || (props.has('header.i') && domainOf(props.get('header.i')!) === domain))) ||
        (method === 'spf' && props.has('smtp.mailfrom') && domainOf(props.get('smtp.mailfrom')!) === domain);
      if (vouched) return `${method}=pass by ${authserv}`;
    }
  }
  return null;
}
