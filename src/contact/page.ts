/** The web form and its answer: the case number and the expected times, on the organisation's clock. */
import { caseNumber, esc, languageLinks, layout, when, words, type Language } from '../portal';

export interface FormView { language: Language; org: string; types: string[]; touchpoints: string[]; values?: Record<string, string>; error?: { field: string; message: string } }

const TYPE_WORDS: Record<string, keyof ReturnType<typeof words>> = { question: 'question' };

export function contactPage(v: FormView) {
  const w = words(v.language);
  const val = (k: string) => esc(v.values?.[k] ?? '');
  const fieldError = (f: string) => (v.error?.field === f ? `<span class="error" id="err-${f}"> ${esc(v.error.message)}</span>` : '');
  const invalid = (f: string) => (v.error?.field === f ? ` aria-invalid="true" aria-describedby="err-${f}"` : '');
  const typeLabel = (t: string) => (TYPE_WORDS[t] ? w[TYPE_WORDS[t]!] : t.replace(/_/g, ' '));
  return layout(v.language, `${w.contactTitle} — ${v.org}`, `${languageLinks('/contact', v.language)}<h1>${esc(w.contactTitle)}: ${esc(v.org)}</h1><p>${esc(w.contactIntro)}</p>
${v.error ? `<p class="error" role="alert">${esc(w.errors)}: ${esc(v.error.message)}</p>` : ''}
<form method="post" action="/contact?lang=${v.language}" enctype="multipart/form-data" class="card">
<input type="hidden" name="lang" value="${v.language}">
<label>${esc(w.name)}<input type="text" name="name" required maxlength="200" autocomplete="name" value="${val('name')}"${invalid('name')}>${fieldError('name')}</label>
<label>${esc(w.email)}<input type="email" name="email" required maxlength="320" autocomplete="email" value="${val('email')}"${invalid('email')}>${fieldError('email')}</label>
<label>${esc(w.phone)}<input type="tel" name="phone" maxlength="40" autocomplete="tel" value="${val('phone')}"></label>
<label>${esc(w.requestType)}<select name="type"${invalid('type')}>${v.types.map((t) => `<option value="${esc(t)}"${v.values?.type === t ? ' selected' : ''}>${esc(typeLabel(t))}</option>`).join('')}</select>${fieldError('type')}</label>
${v.touchpoints.length ? `<label>${esc(w.touchpoint)}<select name="touchpoint"><option value="">${esc(w.none)}</option>${v.touchpoints.map((t) => `<option value="${esc(t)}"${v.values?.touchpoint === t ? ' selected' : ''}>${esc(t)}</option>`).join('')}</select></label>` : ''}
<label>${esc(w.subject)}<input type="text" name="subject" required maxlength="300" value="${val('subject')}"${invalid('subject')}>${fieldError('subject')}</label>
<label>${esc(w.message)}<textarea name="message" rows="7" required maxlength="20000"${invalid('message')}>${val('message')}</textarea>${fieldError('message')}</label>
<label>${esc(w.attachments)}<input type="file" name="attachments" multiple accept="image/*,application/pdf,text/plain"${invalid('attachments')}>${fieldError('attachments')}</label>
<div class="hp" aria-hidden="true"><label>${esc(w.website)}<input type="text" name="website" tabindex="-1" autocomplete="off"></label></div>
<button type="submit">${esc(w.send)}</button></form>`);
}

export function receivedPage(r: { caseId: number; firstResponseDueAt: Date | null; resolutionDueAt: Date | null; language: Language; timeZone: string; org: string }) {
  const w = words(r.language);
  const expected = r.firstResponseDueAt
    ? `<dt>${esc(w.firstResponse)}</dt><dd>${esc(when(r.language, r.timeZone, r.firstResponseDueAt))}</dd><dt>${esc(w.resolution)}</dt><dd>${esc(when(r.language, r.timeZone, r.resolutionDueAt))}</dd>`
    : `<dt></dt><dd>${esc(w.noStandard)}</dd>`;
  return layout(r.language, `${w.received} — ${r.org}`, `<h1>${esc(w.received)}</h1>
<section class="card" role="status"><dl><dt>${esc(w.caseNumber)}</dt><dd><strong>${esc(caseNumber(r.caseId))}</strong></dd>${expected}</dl></section>
<p>${esc(w.emailed)} ${esc(w.portalHint)} <a href="/portal?lang=${r.language}" target="_top">${esc(w.portal)}</a></p>`);
}

/** A honeypot hit gets a plain thank-you: the robot learns nothing, and no case is opened. */
export function thanksPage(language: Language, org: string) {
  const w = words(language);
  return layout(language, `${w.thanks} — ${org}`, `<h1>${esc(w.thanks)}</h1><p role="status">${esc(w.received)}.</p>`);
}

/** The snippet an organisation pastes into its site: it inserts the form in an iframe. */
export function embedScript(publicUrl: string) {
  return `(function () {
  var s = document.currentScript;
  var f = document.createElement('iframe');
  var lang = (s && s.getAttribute('data-lang')) || (document.documentElement.lang || 'en').slice(0, 2);
  f.src = ${JSON.stringify(`${publicUrl}/contact`)} + '?lang=' + encodeURIComponent(lang);
  f.title = (s && s.getAttribute('data-title')) || 'Contact form';
  f.style.cssText = 'width:100%;min-height:60rem;border:0';
  f.loading = 'lazy';
  s.parentNode.insertBefore(f, s.nextSibling);
})();
`;
}
