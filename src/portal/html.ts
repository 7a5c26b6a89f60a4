/**
 * The customer-facing pages' frame: server-rendered, mobile-first, no script, one stylesheet
 * allowed by its hash. Everything shown is escaped: messages are text, never HTML.
 */
import { createHash } from 'node:crypto';
import { contentSecurityPolicy } from '../core/http/security-headers';
import type { Language } from './words';

export const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#f6f8fa}
main{max-width:44rem;margin:0 auto;padding:1rem}h1{font-size:1.45rem;margin:.5rem 0 1rem}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
header{background:#fff;border-bottom:1px solid #d0d7de}header nav{max-width:44rem;margin:0 auto;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:.4rem 1rem;align-items:center}
header nav .org{font-weight:700;margin-right:auto}a{color:#0b5cad}
.card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:.8rem 1rem;margin:0 0 1rem}
label{display:block;margin:0 0 .8rem;font-weight:600}label.check{font-weight:400;display:flex;gap:.5rem;align-items:flex-start}
input[type=text],input[type=email],input[type=tel],select,textarea{display:block;width:100%;font:inherit;font-weight:400;padding:.55rem;border:1px solid #6e7781;border-radius:6px;background:#fff;margin-top:.25rem}
input[type=checkbox]{width:1.2rem;height:1.2rem;margin-top:.15rem}
button{font:inherit;font-weight:600;background:#0b5cad;color:#fff;border:0;border-radius:6px;padding:.65rem 1.2rem;cursor:pointer}
button.secondary{background:#fff;color:#0b5cad;border:1px solid #0b5cad}
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
.error{color:#a40e26;font-weight:600}.ok{color:#17663a;font-weight:600}.muted{color:#57606a}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}dt{color:#57606a}dd{margin:0}
.msg{border-left:4px solid #8c959f;padding:.4rem .8rem;margin:0 0 .8rem;background:#fff;border-radius:0 6px 6px 0}.msg.us{border-color:#0b5cad}
.msg p{margin:.2rem 0;white-space:pre-wrap;overflow-wrap:anywhere}.meta{font-size:.9rem;color:#57606a}
ul.plain{list-style:none;padding:0;margin:0}ul.plain>li{margin:0 0 .8rem}
.status{display:inline-block;border-radius:999px;padding:0 .6rem;background:#ddf4ff;color:#0a3069;font-size:.9rem}
.actions{display:flex;flex-wrap:wrap;gap:.6rem;align-items:flex-end}.actions form{margin:0}
@media (max-width:520px){dl{grid-template-columns:1fr;gap:0}dd{margin-bottom:.5rem}}
@media (min-width:700px){main{padding:1.5rem}}`;

const sha256 = (text: string) => `sha256-${createHash('sha256').update(text).digest('base64')}`;
/** These pages' own policy: no script at all, this one inline style by its hash. */
export const PAGE_CSP = contentSecurityPolicy({ styleHashes: [sha256(STYLE)] });
/** The contact form may be framed by the organisation's own site. */
export const EMBEDDABLE_PAGE_CSP = contentSecurityPolicy({ styleHashes: [sha256(STYLE)], frameAncestors: '*' });

export function layout(language: Language, title: string, body: string, nav = '') {
  return `<!doctype html><html lang="${esc(language)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><meta name="referrer" content="same-origin"><title>${esc(title)}</title><style>${STYLE}</style></head>
<body>${nav ? `<header><nav aria-label="Portal">${nav}</nav></header>` : ''}<main id="main">${body}</main></body></html>`;
}

/** A time on the organisation's clock, in the customer's language. */
export function when(language: Language, timeZone: string, at: Date | string | null): string {
  if (!at) return '';
  // Building a formatter costs far more than using one: a page of 100 cases would spend most of its time here.
  const key = `${language}|${timeZone}`;
  let f = FORMATS.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat({ en: 'en-GB', de: 'de-DE', fr: 'fr-FR' }[language], { dateStyle: 'full', timeStyle: 'short', timeZone });
    FORMATS.set(key, f);
  }
  return f.format(new Date(at));
}
const FORMATS = new Map<string, Intl.DateTimeFormat>();

export const caseNumber = (id: number) => `K-${id}`;

const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', de: 'Deutsch', fr: 'Français' };
/** Links to the same page in the other languages (for visitors not yet signed in). */
export function languageLinks(path: string, current: Language) {
  return `<nav aria-label="Language" class="meta">${(Object.keys(LANGUAGE_NAMES) as Language[]).map((l) => (l === current
    ? `<span aria-current="true">${LANGUAGE_NAMES[l]}</span>`
    : `<a href="${path}?lang=${l}" lang="${l}" hreflang="${l}">${LANGUAGE_NAMES[l]}</a>`)).join(' · ')}</nav>`;
}
