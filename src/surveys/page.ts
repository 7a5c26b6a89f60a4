/**
 * The public survey page: server-rendered, no sign-in, no script needed (a few lines of script
 * only save answers as they are given), mobile-first and accessible. It shows the questions and
 * a greeting, and nothing else about the customer.
 */
import { createHash } from 'node:crypto';
import { contentSecurityPolicy } from '../core/http/security-headers';
import { CHOICE_LABELS, STANDARD, type QuestionKind } from './questions';

const WORDS: Record<string, Record<string, string>> = {
  en: { title: 'Your feedback', hello: 'Hello', intro: 'Thank you for taking a moment. Every answer is read by a person.', finish: 'Send my answers', why: 'Why?', thanks: 'Thank you. Your answers are with us.', done: 'You have already answered this survey. Thank you!', expired: 'This survey link has expired.', missing: 'This survey link is not valid.', saved: 'Saved', chose: 'You chose {n}. Tap to confirm your score; the other questions are optional.', confirm: 'Confirm my score' },
  de: { title: 'Ihre Meinung', hello: 'Guten Tag', intro: 'Danke, dass Sie sich einen Moment Zeit nehmen. Jede Antwort wird von einem Menschen gelesen.', finish: 'Antworten senden', why: 'Warum?', thanks: 'Vielen Dank. Ihre Antworten sind bei uns angekommen.', done: 'Sie haben diese Umfrage bereits beantwortet. Danke!', expired: 'Dieser Link ist abgelaufen.', missing: 'Dieser Link ist nicht gültig.', saved: 'Gespeichert', chose: 'Sie haben {n} gewählt. Bitte bestätigen Sie Ihre Bewertung; die anderen Fragen sind freiwillig.', confirm: 'Bewertung bestätigen' },
  fr: { title: 'Votre avis', hello: 'Bonjour', intro: 'Merci de prendre un instant. Chaque réponse est lue par une personne.', finish: 'Envoyer mes réponses', why: 'Pourquoi ?', thanks: 'Merci. Nous avons bien reçu vos réponses.', done: 'Vous avez déjà répondu à cette enquête. Merci !', expired: 'Ce lien a expiré.', missing: 'Ce lien n’est pas valide.', saved: 'Enregistré', chose: 'Vous avez choisi {n}. Confirmez votre note ; les autres questions sont facultatives.', confirm: 'Confirmer ma note' },
};

const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
export const words = (language: string) => WORDS[language] ?? WORDS.en!;

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#f6f8fa}
main{max-width:40rem;margin:0 auto;padding:1rem}h1{font-size:1.4rem}fieldset{border:1px solid #d0d7de;border-radius:8px;background:#fff;margin:0 0 1rem;padding:.8rem 1rem}
legend{font-weight:600;padding:0 .3rem}.scale{display:flex;flex-wrap:wrap;gap:.3rem}.scale label{flex:1 0 2.6rem;text-align:center;border:1px solid #8c959f;border-radius:6px;padding:.5rem 0;cursor:pointer;background:#fff}
.scale input{position:absolute;opacity:0;width:1px;height:1px}.scale input:checked+span{font-weight:700}.scale label:has(input:checked){background:#0b5cad;color:#fff;border-color:#0b5cad}
.scale label:has(input:focus-visible){outline:3px solid #2f81f7;outline-offset:2px}.ends{display:flex;justify-content:space-between;font-size:.85rem;color:#57606a;margin-top:.3rem}
.choice{display:block;margin:.3rem 0}textarea{width:100%;font:inherit;padding:.5rem;border:1px solid #8c959f;border-radius:6px}
button{font:inherit;font-weight:600;background:#0b5cad;color:#fff;border:0;border-radius:6px;padding:.7rem 1.2rem;width:100%}
.note{color:#17663a}.confirm{margin:0 0 1.5rem}`;

// Partial answers are kept: each answer is saved as it is given. Fixed text (the "Saved" word
// comes from the page), so the Content-Security-Policy can allow exactly this script by its hash.
const SCRIPT = `
const form = document.getElementById('survey');
const saved = document.getElementById('saved');
form.addEventListener('change', () => {
  const data = Object.fromEntries([...new FormData(form)].filter(([k, v]) => k !== 'complete' && v !== ''));
  fetch(form.action + '/partial', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(data) })
    .then((r) => { if (r.ok) saved.textContent = saved.dataset.saved; });
});
`;
const sha256 = (text: string) => `sha256-${createHash('sha256').update(text).digest('base64')}`;
/** The survey pages' own policy: the workspace's, plus this page's inline style and script. */
export const SURVEY_PAGE_CSP = contentSecurityPolicy({ scriptHashes: [sha256(SCRIPT)], styleHashes: [sha256(STYLE)] });

function layout(language: string, title: string, body: string) {
  return `<!doctype html><html lang="${esc(language)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><meta name="referrer" content="no-referrer"><title>${esc(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

export function messagePage(language: string, key: 'thanks' | 'done' | 'expired' | 'missing') {
  const w = words(language);
  return layout(language, w.title!, `<h1>${esc(w.title)}</h1><p role="status">${esc(w[key])}</p>`);
}

export interface SurveyPageOptions {
  greeting: string | null; organisation: string; language: string; questions: { kind: QuestionKind; key?: string; scale?: { min: number; max: number }; text: string }[]; answers: Record<string, unknown>;
  /** The score clicked in the email: pre-selected, and recorded only when the customer confirms. */
  clicked?: { kind: 'nps' | 'stay'; value: number };
  /** Just saved (after the confirmation): say so. */
  saved?: boolean;
}

export function surveyPage(token: string, view: SurveyPageOptions) {
  const w = words(view.language);
  const clicked = view.clicked && view.questions.some((q) => q.kind === view.clicked!.kind) ? view.clicked : undefined;
  const a = clicked ? { ...view.answers, [clicked.kind]: clicked.value } : view.answers;
  const confirm = clicked ? `<form method="post" action="/s/${esc(token)}" class="confirm">
<input type="hidden" name="${clicked.kind}" value="${clicked.value}"><input type="hidden" name="confirm" value="true">
<p>${esc(w.chose!.replace('{n}', String(clicked.value)))}</p><button type="submit">${esc(w.confirm)}</button></form>` : '';
  const fields = view.questions.map((q, i) => {
    const std = STANDARD[q.kind];
    const k = q.key ?? q.kind;
    const scale = std.scale ? { ...std.scale, ...q.scale } : undefined;
    const id = `q${i}`;
    let input = '';
    if (scale) {
      const options = [];
      for (let n = scale.min; n <= scale.max; n++) {
        options.push(`<label><input type="radio" name="${k}" value="${n}"${Number(a[k]) === n && a[k] !== undefined ? ' checked' : ''}><span>${n}</span></label>`);
      }
      input = `<div class="scale">${options.join('')}</div><div class="ends" aria-hidden="true"><span>${esc(scale.low)}</span><span>${esc(scale.high)}</span></div>`;
    } else if (std.choices) {
      const labels = CHOICE_LABELS[view.language] ?? CHOICE_LABELS.en!;
      input = std.choices.map((c) => `<label class="choice"><input type="radio" name="${k}" value="${c}"${a[k] === c ? ' checked' : ''}> ${esc(labels[c])}</label>`).join('');
    } else {
      return `<fieldset><legend id="${id}">${esc(q.text)}</legend><textarea name="${k}" rows="4" aria-labelledby="${id}">${esc(a[k])}</textarea></fieldset>`;
    }
    const more = std.words ? `<label class="choice">${esc(w.why)}<textarea name="${k}_words" rows="2">${esc(a[`${k}_words`])}</textarea></label>` : '';
    return `<fieldset><legend>${esc(q.text)}</legend>${input}${more}</fieldset>`;
  }).join('\n');
  const greeting = view.greeting ? `${w.hello} ${view.greeting},` : `${w.hello},`;
  return layout(view.language, `${w.title} — ${view.organisation}`, `
<h1>${esc(w.title)}: ${esc(view.organisation)}</h1>
<p>${esc(greeting)}</p>
<p>${esc(w.intro)}</p>
${confirm}
<form method="post" action="/s/${esc(token)}" id="survey">
${fields}
<input type="hidden" name="complete" value="true">
<p class="note" role="status" id="saved" aria-live="polite" data-saved="${esc(w.saved)}">${view.saved ? esc(w.saved) : ''}</p>
<button type="submit">${esc(w.finish)}</button>
</form>
<script>${SCRIPT}</script>`);
}
