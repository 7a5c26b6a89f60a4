/**
 * The questions that predict loyalty, with their standard wording and scales. The text is
 * editable per survey; translations are chosen by the customer's language, English otherwise.
 * CSAT may be asked but is never the headline figure.
 */
import { z } from 'zod';

export const QUESTION_KINDS = ['nps', 'ces', 'expectation', 'feeling', 'remember', 'ease', 'stay', 'csat', 'comment'] as const;
export type QuestionKind = (typeof QUESTION_KINDS)[number];

export const QuestionSchema = z.strictObject({
  kind: z.enum(QUESTION_KINDS),
  /** Text by language code; {org} is replaced by the organisation's name. */
  text: z.record(z.string().regex(/^[a-z]{2}$/), z.string().min(3).max(500)).optional(),
});
export type Question = z.infer<typeof QuestionSchema>;

interface Scale { min: number; max: number; low: string; high: string }

export const STANDARD: Record<QuestionKind, { text: Record<string, string>; scale?: Scale; choices?: readonly string[]; words?: boolean }> = {
  nps: {
    text: { en: 'How likely are you to recommend {org} to a friend or colleague?', de: 'Wie wahrscheinlich ist es, dass Sie {org} einem Freund oder Kollegen empfehlen?', fr: 'Quelle est la probabilité que vous recommandiez {org} à un ami ou un collègue ?' },
    scale: { min: 0, max: 10, low: 'Not at all likely', high: 'Extremely likely' },
  },
  ces: {
    text: { en: '{org} made it easy for me to handle my issue.', de: '{org} hat es mir leicht gemacht, mein Anliegen zu erledigen.', fr: '{org} m’a facilité la résolution de mon problème.' },
    scale: { min: 1, max: 7, low: 'Strongly disagree', high: 'Strongly agree' },
  },
  expectation: {
    text: { en: 'Compared with what you expected, what we delivered was…', de: 'Verglichen mit Ihren Erwartungen war unsere Leistung…', fr: 'Par rapport à vos attentes, ce que nous avons fait était…' },
    choices: ['below', 'met', 'above'],
    words: true,
  },
  feeling: { text: { en: 'How did we make you feel?' }, scale: { min: 1, max: 5, low: 'Very bad', high: 'Very good' }, words: true },
  remember: { text: { en: 'What do you remember most about this experience?' } },
  ease: { text: { en: 'How easy was it to deal with us?' }, scale: { min: 1, max: 5, low: 'Very difficult', high: 'Very easy' } },
  stay: { text: { en: 'How likely are you to keep doing business with {org}?' }, scale: { min: 0, max: 10, low: 'Not at all likely', high: 'Extremely likely' } },
  csat: { text: { en: 'How satisfied are you with how we handled your request?' }, scale: { min: 1, max: 5, low: 'Very dissatisfied', high: 'Very satisfied' } },
  comment: { text: { en: 'Is there anything else you would like to tell us?', de: 'Möchten Sie uns noch etwas mitteilen?', fr: 'Souhaitez-vous nous dire autre chose ?' } },
};

export const CHOICE_LABELS: Record<string, Record<string, string>> = {
  en: { below: 'Below what I expected', met: 'What I expected', above: 'Above what I expected' },
  de: { below: 'Unter meinen Erwartungen', met: 'Wie erwartet', above: 'Über meinen Erwartungen' },
  fr: { below: 'En dessous de mes attentes', met: 'Conforme à mes attentes', above: 'Au-dessus de mes attentes' },
};

export function questionText(q: Question, language: string, org: string): string {
  const texts = { ...STANDARD[q.kind].text, ...q.text };
  return (texts[language] ?? texts.en ?? Object.values(texts)[0]!).replaceAll('{org}', org);
}

/** Every survey ends with an open comment. */
export function withComment(questions: Question[]): Question[] {
  return questions.some((q) => q.kind === 'comment') ? questions : [...questions, { kind: 'comment' }];
}

/** What an answer may contain, per question kind: the boundary check for the public page. */
export function answerSchema(questions: Question[]) {
  const shape: Record<string, z.ZodType> = {};
  for (const q of questions) {
    const s = STANDARD[q.kind];
    if (s.scale) shape[q.kind] = z.coerce.number().int().min(s.scale.min).max(s.scale.max).optional();
    else if (s.choices) shape[q.kind] = z.enum(s.choices as [string, ...string[]]).optional();
    else shape[q.kind] = z.string().trim().max(5_000).optional();
    if (s.words) shape[`${q.kind}_words`] = z.string().trim().max(1_000).optional();
  }
  return z.strictObject(shape);
}
