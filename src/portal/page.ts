/** The portal's pages (see html.ts for the frame). Only what service.ts returns for this customer is shown. */
import { esc, languageLinks, layout, when, caseNumber } from './html';
import { words, LANGUAGES, type Language } from './words';
import type { myCase, myCases, myProfile, mySurveys } from './service';
import { STANDARD, CHOICE_LABELS, type QuestionKind } from '../surveys/questions';

export interface View { language: Language; org: string; timeZone: string; csrf?: string }

const nav = (v: View) => {
  const w = words(v.language);
  return `<span class="org">${esc(v.org)}</span><a href="/portal">${esc(w.myCases)}</a><a href="/portal/profile">${esc(w.profile)}</a>
<form method="post" action="/portal/sign-out"><input type="hidden" name="csrf" value="${esc(v.csrf)}"><button class="secondary" type="submit">${esc(w.signOut)}</button></form>`;
};
const csrf = (v: View) => `<input type="hidden" name="csrf" value="${esc(v.csrf)}">`;

export function signInPage(v: View, opts: { sent?: boolean; invalid?: boolean; error?: string } = {}) {
  const w = words(v.language);
  if (opts.sent) return layout(v.language, w.linkSent, `<h1>${esc(w.linkSent)}</h1><p role="status">${esc(w.linkSentText)}</p>`);
  return layout(v.language, `${w.signIn} — ${v.org}`, `${languageLinks('/portal', v.language)}<h1>${esc(w.portal)}: ${esc(v.org)}</h1>
${opts.invalid ? `<p class="error" role="alert">${esc(w.linkInvalid)}</p>` : ''}${opts.error ? `<p class="error" role="alert">${esc(opts.error)}</p>` : ''}
<p>${esc(w.signInIntro)}</p>
<form method="post" action="/portal/link" class="card"><input type="hidden" name="lang" value="${v.language}">
<label>${esc(w.email)}<input type="email" name="email" required maxlength="320" autocomplete="email"></label>
<button type="submit">${esc(w.sendLink)}</button></form>`);
}

export function confirmSignInPage(v: View, token: string) {
  const w = words(v.language);
  return layout(v.language, w.confirmSignIn, `<h1>${esc(w.confirmSignIn)}</h1>
<form method="post" action="/portal/sign-in/${esc(token)}" class="card">
<label class="check"><input type="checkbox" name="remember" value="1"> ${esc(w.remember)}</label>
<button type="submit">${esc(w.signIn)}</button></form>`);
}

export function messagePage(v: View, title: string, text: string, signedIn = false) {
  return layout(v.language, title, `<h1>${esc(title)}</h1><p role="status">${esc(text)}</p>`, signedIn ? nav(v) : '');
}

function expectation(v: View, label: string, due: Date | string | null, doneAt: Date | string | null) {
  const w = words(v.language);
  if (!due) return '';
  const state = doneAt ? (new Date(doneAt) <= new Date(due) ? w.met : w.late) : w.due;
  return `<dt>${esc(label)}</dt><dd>${esc(when(v.language, v.timeZone, due))} (${esc(state)})</dd>`;
}

const owner = (v: View, c: { ownerFirstName: string | null; teamName: string | null }) => {
  const w = words(v.language);
  if (!c.ownerFirstName) return esc(c.teamName ? `${w.unowned} (${w.team} ${c.teamName})` : w.unowned);
  return esc(c.teamName ? `${c.ownerFirstName}, ${w.team} ${c.teamName}` : c.ownerFirstName);
};
const statusWord = (v: View, s: string) => (words(v.language) as Record<string, string>)[`st_${s}`] ?? s;

export function casesPage(v: View, cases: Awaited<ReturnType<typeof myCases>>, surveys: Awaited<ReturnType<typeof mySurveys>>, greeting: string) {
  const w = words(v.language);
  const list = cases.length ? `<ul class="plain">${cases.map((c) => `<li class="card"><h2 style="margin-top:0"><a href="/portal/cases/${c.id}">${esc(caseNumber(c.id))}: ${esc(c.subject)}</a></h2>
<dl><dt>${esc(w.status)}</dt><dd><span class="status">${esc(statusWord(v, c.status))}</span></dd><dt>${esc(w.owner)}</dt><dd>${owner(v, c)}</dd>
${expectation(v, w.firstResponse, c.firstResponseDueAt, c.firstRespondedAt)}${expectation(v, w.resolution, c.resolutionDueAt, c.resolvedAt)}</dl></li>`).join('')}</ul>`
    : `<p>${esc(w.noCases)}</p>`;
  const waiting = surveys.length ? `<h2>${esc(w.surveys)}</h2><ul class="plain">${surveys.map((s) => `<li><a href="/portal/surveys/${s.id}">${esc(w.answer)}${s.caseId ? ` (${esc(caseNumber(s.caseId))})` : ''}</a></li>`).join('')}</ul>` : '';
  return layout(v.language, `${w.myCases} — ${v.org}`, `<h1>${esc(w.myCases)}</h1><p>${esc(`${w.hello} ${greeting},`)}</p>${waiting}${list}`, nav(v));
}

export function casePage(v: View, c: Awaited<ReturnType<typeof myCase>>, notice?: string) {
  const w = words(v.language);
  const conversation = c.conversation.map((e) => `<article class="msg ${e.from}"><div class="meta">${esc(e.from === 'me' ? w.you : e.authorFirstName ? `${e.authorFirstName} (${v.org})` : v.org)} · ${esc(when(v.language, v.timeZone, e.createdAt))}</div>
<p>${esc(e.body)}</p>${e.attachments.map((a) => `<div><a href="/portal/attachments/${a.id}">${esc(a.filename)}</a> <span class="meta">(${Math.ceil(a.size / 1024)} KB)</span></div>`).join('')}</article>`).join('');
  const promises = c.promises.length ? `<ul class="plain">${c.promises.map((p) => `<li class="card"><p style="margin:0">${esc(p.text)}</p>
<p class="meta" style="margin:0">${esc(w.promiseDue)} ${esc(when(v.language, v.timeZone, p.dueAt))} · <strong>${esc((w as Record<string, string>)[p.status] ?? p.status)}</strong>${p.firstDueAt ? ` (${esc(w.was)}: ${esc(when(v.language, v.timeZone, p.firstDueAt))})` : ''}</p></li>`).join('')}</ul>` : `<p class="muted">${esc(w.noPromises)}</p>`;
  const actions = [
    c.status !== 'closed' ? `<form method="post" action="/portal/cases/${c.id}/close">${csrf(v)}<button class="secondary" type="submit">${esc(w.close)}</button></form>` : '',
    c.canReopen ? `<form method="post" action="/portal/cases/${c.id}/reopen">${csrf(v)}<button class="secondary" type="submit">${esc(w.reopen)}</button><div class="meta">${esc(w.reopenUntil)} ${esc(when(v.language, v.timeZone, c.reopenUntil))}</div></form>` : '',
  ].join('');
  return layout(v.language, `${caseNumber(c.id)} — ${v.org}`, `<p><a href="/portal">${esc(w.back)}</a></p>
<h1>${esc(caseNumber(c.id))}: ${esc(c.subject)}</h1>${notice ? `<p class="ok" role="status">${esc(notice)}</p>` : ''}
<section class="card" aria-label="${esc(w.status)}"><dl><dt>${esc(w.status)}</dt><dd><span class="status">${esc(statusWord(v, c.status))}</span></dd><dt>${esc(w.owner)}</dt><dd>${owner(v, c)}</dd>
${expectation(v, w.firstResponse, c.firstResponseDueAt, c.firstRespondedAt)}${expectation(v, w.resolution, c.resolutionDueAt, c.resolvedAt)}</dl></section>
<section aria-labelledby="promises"><h2 id="promises">${esc(w.promises)}</h2>${promises}</section>
<section aria-labelledby="conversation"><h2 id="conversation">${esc(w.conversation)}</h2>${conversation}</section>
${c.status !== 'closed' ? `<form method="post" action="/portal/cases/${c.id}/reply" enctype="multipart/form-data" class="card">${csrf(v)}<label>${esc(w.reply)}<textarea name="body" rows="5" required maxlength="20000"></textarea></label>
<label>${esc(w.attachments)}<input type="file" name="attachments" multiple accept="image/*,application/pdf,text/plain"></label><button type="submit">${esc(w.sendReply)}</button></form>` : ''}
<div class="actions">${actions}</div>
<details class="card" style="margin-top:1rem"><summary>${esc(w.repeat)}</summary><form method="post" action="/portal/cases/${c.id}/repeat">${csrf(v)}
<label>${esc(w.repeatNote)}<textarea name="note" rows="2" maxlength="2000"></textarea></label><button class="secondary" type="submit">${esc(w.repeat)}</button></form></details>`, nav(v));
}

export function profilePage(v: View, p: Awaited<ReturnType<typeof myProfile>>, notice?: string) {
  const w = words(v.language);
  const names: Record<Language, string> = { en: 'English', de: 'Deutsch', fr: 'Français' };
  const channels = ['email', 'phone', 'web'] as const;
  return layout(v.language, `${w.profile} — ${v.org}`, `<h1>${esc(w.profile)}</h1>${notice ? `<p class="ok" role="status">${esc(notice)}</p>` : ''}
<p>${esc(w.addressedAs)}: <strong>${esc(p.salutation)}</strong></p>
<form method="post" action="/portal/profile" class="card">${csrf(v)}
<label>${esc(w.title)}<input type="text" name="title" maxlength="50" value="${esc(p.title)}"></label>
<label>${esc(w.givenName)}<input type="text" name="givenName" maxlength="100" value="${esc(p.givenName)}" autocomplete="given-name"></label>
<label>${esc(w.familyName)}<input type="text" name="familyName" maxlength="100" value="${esc(p.familyName)}" autocomplete="family-name"></label>
<label class="check"><input type="checkbox" name="firstNameOk" value="1"${p.firstNameOk ? ' checked' : ''}> ${esc(w.firstNameOk)}</label>
<label>${esc(w.language)}<select name="language">${LANGUAGES.map((l) => `<option value="${l}"${(p.language ?? 'en').startsWith(l) ? ' selected' : ''}>${names[l]}</option>`).join('')}</select></label>
<label>${esc(w.preferredChannel)}<select name="preferredChannel">${channels.map((ch) => `<option value="${ch}"${p.preferredChannel === ch ? ' selected' : ''}>${esc((w as Record<string, string>)[`ch_${ch}`])}</option>`).join('')}</select></label>
<label>${esc(w.phones)}<textarea name="phones" rows="2" maxlength="500">${esc(p.phones.join('\n'))}</textarea></label>
<p class="muted">${esc(w.email)}: ${esc(p.emails.join(', '))}</p>
<button type="submit">${esc(w.save)}</button></form>`, nav(v));
}

/** A survey waiting for me, answered in place (the same questions and scales as the emailed page). */
export function surveyPage(v: View, id: number, questions: { kind: QuestionKind; text: string }[]) {
  const w = words(v.language);
  const fields = questions.map((q) => {
    const std = STANDARD[q.kind];
    if (std.scale) {
      const options: string[] = [];
      for (let n = std.scale.min; n <= std.scale.max; n++) options.push(`<label class="check" style="display:inline-flex;margin-right:.6rem"><input type="radio" name="${q.kind}" value="${n}"> ${n}</label>`);
      return `<fieldset class="card"><legend>${esc(q.text)}</legend>${options.join('')}</fieldset>`;
    }
    if (std.choices) {
      const labels = CHOICE_LABELS[v.language] ?? CHOICE_LABELS.en!;
      return `<fieldset class="card"><legend>${esc(q.text)}</legend>${std.choices.map((c) => `<label class="check"><input type="radio" name="${q.kind}" value="${c}"> ${esc(labels[c])}</label>`).join('')}</fieldset>`;
    }
    return `<label class="card">${esc(q.text)}<textarea name="${q.kind}" rows="3" maxlength="5000"></textarea></label>`;
  }).join('');
  return layout(v.language, `${w.surveys} — ${v.org}`, `<p><a href="/portal">${esc(w.back)}</a></p><h1>${esc(w.surveys)}</h1>
<form method="post" action="/portal/surveys/${id}">${csrf(v)}${fields}<button type="submit">${esc(w.send)}</button></form>`, nav(v));
}
