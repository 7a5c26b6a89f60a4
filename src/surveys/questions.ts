/**
 * The questions that predict loyalty, with their standard wording and scales. The text is
 * editable per survey; translations are chosen by the customer's language, English otherwise.
 * CSAT may be asked but is never the headline figure.
 */
import { z } from 'zod';

export const QUESTION_KINDS = ['nps', 'ces', 'expectation', 'feeling', 'remember', 'ease', 'stay', 'csat', 'comment', 'scale'] as const;
export type QuestionKind = (typeof QUESTION_KINDS)[number];

export const QuestionSchema = z.strictObject({
  kind: z.enum(QUESTION_KINDS),
  /** Text by language code; {org} is replaced by the organisation's name. */
  text: z.record(z.string().regex(/^[a-z]{2}$/), z.string().min(3).max(500)).optional(),
  /** How answers are named (imports map columns to it); the kind by default. Needed when a kind is asked twice. */
  key: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'lower-case letters, digits and _').optional(),
  /** This question's own scale, chosen when the survey is made (e.g. satisfaction 1–10 instead of 1–5). */
  scale: z.strictObject({ min: z.number().int().min(-100).max(100), max: z.number().int().min(-100).max(100) })
    .refine((s) => s.max > s.min && s.max - s.min <= 100, 'max must be above min (at most 100 steps)').optional(),
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
  scale: { text: { en: 'How would you rate this?' }, scale: { min: 1, max: 5, low: 'Lowest', high: 'Highest' } },
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

/** The name answers go by: the question's key, else its kind. */
export const keyOf = (q: Question): string => q.key ?? q.kind;

/** The scale answers are checked against: the question's own, else its kind's standard one. */
export function scaleOf(q: Question): Scale | undefined {
  const std = STANDARD[q.kind].scale;
  if (!std) return undefined;
  return q.scale ? { ...std, min: q.scale.min, max: q.scale.max } : std;
}

/** NPS and likelihood to stay keep their 0–10 scale: their figures (promoters, detractors) depend on it. */
export function checkQuestions(questions: Question[]): string | null {
  const keys = new Set<string>();
  for (const q of questions) {
    const key = keyOf(q);
    if (keys.has(key)) return `two questions are named "${key}": give each a distinct key`;
    keys.add(key);
    if (q.scale && !STANDARD[q.kind].scale) return `a ${q.kind} question has no scale`;
    if (q.scale && (q.kind === 'nps' || q.kind === 'stay') && (q.scale.min !== 0 || q.scale.max !== 10)) return `${q.kind} is always asked 0–10`;
    if (q.key && q.key !== q.kind && (QUESTION_KINDS as readonly string[]).includes(q.key)) return `"${q.key}" is the name of another kind of question`;
  }
  return null;
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
    const key = keyOf(q);
    const scale = scaleOf(q);
    if (scale) shape[key] = z.coerce.number().int().min(scale.min).max(scale.max).optional();
    else if (s.choices) shape[key] = z.enum(s.choices as [string, ...string[]]).optional();
    else shape[key] = z.string().trim().max(5_000).optional();
    if (s.words) shape[`${key}_words`] = z.string().trim().max(1_000).optional();
  }
  return z.strictObject(shape);
}

/**
 * The standard columns of an answer (what figures and the closed loop read): NPS, effort, CSAT and
 * likelihood to stay from the question of that kind on its standard scale, expectation, and the
 * text of every open question joined. Custom scales and second questions of a kind stay in answers.
 */
export function standardColumns(questions: Question[], answers: Record<string, unknown>) {
  const scoreOf = (kind: 'nps' | 'ces' | 'csat' | 'stay') => {
    const q = questions.find((x) => x.kind === kind && keyOf(x) === kind && (!x.scale || (x.scale.min === STANDARD[kind].scale!.min && x.scale.max === STANDARD[kind].scale!.max)));
    const v = q ? answers[kind] : undefined;
    return typeof v === 'number' ? v : null;
  };
  const exp = answers.expectation;
  const texts = questions.flatMap((q) => {
    const key = keyOf(q);
    if (q.kind === 'comment' || q.kind === 'remember') return [answers[key]];
    return STANDARD[q.kind].words ? [answers[`${key}_words`]] : [];
  });
  return {
    nps: scoreOf('nps'), ces: scoreOf('ces'), csat: scoreOf('csat'), stay: scoreOf('stay'),
    expectation: exp === 'below' || exp === 'met' || exp === 'above' ? (exp as 'below' | 'met' | 'above') : null,
    comment: texts.filter((v): v is string => typeof v === 'string' && !!v.trim()).join('\n') || null,
  };
}
