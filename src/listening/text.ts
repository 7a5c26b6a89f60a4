/**
 * Reading what customers write, in English, German and French: the language of each text
 * (franc-min's trigram model, shipped inside the package), a sentiment score, whether it reads as
 * a complaint, and its themes as phrases with each language's stop words removed (stopwords-iso).
 *
 * English sentiment is AFINN (the `sentiment` package). German and French use the small lexicons
 * below, written for customer-service language, with AFINN's −5…+5 weights and the same rule for
 * negation (a negation within the three words before flips a word's sign). They are deliberately
 * small and readable; test/api/listening.test.ts prints their precision and recall on a labelled
 * set, so their quality is measured rather than assumed.
 */
import Sentiment from 'sentiment';
import { franc } from 'franc-min';
import { createRequire } from 'node:module';

const stopwords = createRequire(import.meta.url)('stopwords-iso') as Record<string, string[]>;

export type Language = 'en' | 'de' | 'fr' | 'es' | 'it' | 'nl' | 'pt' | 'pl' | 'und';
const ISO3: Record<string, Language> = { eng: 'en', deu: 'de', fra: 'fr', spa: 'es', ita: 'it', nld: 'nl', por: 'pt', pol: 'pl' };
const DETECTED = ['en', 'de', 'fr', 'es', 'it', 'nl', 'pt', 'pl'] as const;
const STOP: Record<string, Set<string>> = Object.fromEntries(DETECTED.map((l) => [l, new Set(stopwords[l] ?? [])]));

/** Words of a text, lower case, letters (any alphabet) and digits only; elisions (l', qu', n') split off. */
export function tokens(text: string): string[] {
  return text.toLowerCase().normalize('NFC').replace(/[’`]/g, "'").replace(/\b(l|d|j|n|m|s|t|c|qu|jusqu|lorsqu)'/g, '$1 ')
    .split(/[^\p{L}\p{N}'-]+/u).map((t) => t.replace(/^['-]+|['-]+$/g, '')).filter(Boolean);
}

/**
 * The language of a text: English, German, French, Spanish, Italian, Dutch, Portuguese or Polish.
 * Each language's stop words vote (how many of the text's words are among them); from 40
 * characters franc's trigrams decide too, and win unless the stop words clearly say otherwise
 * (trigrams confuse German with Dutch on short sentences; English's long stop-word list takes
 * "il", "non" and "e" from an Italian sentence, so a vote wins only by two words or more). Below
 * 40 characters the vote decides, and franc between the languages within one word of its lead or
 * when no stop word matched.
 */
export function detectLanguage(text: string): Language {
  const clean = text.trim();
  const words = tokens(clean);
  const votes = new Map<Language, number>(DETECTED.map((l) => [l, words.filter((w) => STOP[l]!.has(w)).length]));
  let best: Language = 'und';
  let bestCount = 0;
  for (const [l, count] of votes) if (count > bestCount) { best = l; bestCount = count; }
  const byTrigrams = (among: readonly Language[] = DETECTED) =>
    ISO3[franc(clean, { only: Object.keys(ISO3).filter((code) => among.includes(ISO3[code]!)), minLength: 10 })];
  if (clean.length >= 40) {
    const l = byTrigrams();
    if (l && (votes.get(l)! >= bestCount - 1 || bestCount < 3)) return l;
    if (bestCount >= 3) return best;
  }
  if (best === 'und' && clean.length >= 10) return byTrigrams() ?? 'und';
  // A close vote (Italian's list has "fine" and "all", Polish's and English's "za"): the trigrams of those languages decide.
  const tied = [...votes].filter(([, count]) => count > 0 && count >= bestCount - 1).map(([l]) => l);
  if (tied.length > 1 && clean.length >= 10) return byTrigrams(tied) ?? best;
  return best;
}

/** Entries ending in * match any word that starts with them (inflections: déçu, déçue, déçus). */
const LEXICON: Record<'de' | 'fr', Record<string, number>> = {
  de: {
    'schlecht*': -3, 'schlimm*': -3, 'furchtbar*': -4, 'schrecklich*': -4, 'katastroph*': -4, 'miserabel*': -4, 'unzufrieden*': -3, 'enttäusch*': -3,
    'ärger*': -3, 'verärger*': -3, 'wütend*': -4, 'frech*': -3, 'unverschämt*': -4, 'unfreundlich*': -3, 'inkompetent*': -4, 'unmöglich*': -3,
    'inakzeptabel*': -4, 'beschwer*': -3, 'reklamation*': -3, 'kaputt*': -3, 'defekt*': -3, 'beschädigt*': -3, 'fehlerhaft*': -3, 'falsch*': -2,
    'verspät*': -2, 'verspätung*': -2, 'lange gewartet': -2, 'warte*': -1, 'nie*': -1, 'niemand*': -1, 'ignoriert*': -3, 'zurückgerufen': 0,
    'rückerstattung*': -1, 'geld zurück': -2, 'betrug*': -4, 'abzocke*': -4, 'kündig*': -2, 'schade': -2, 'leider': -1, 'problem*': -2, 'ärgerlich*': -3,
    'nervig*': -2, 'aufgelegt': -2, 'stürzt': -2, 'absturz*': -2, 'hilft': 2, 'gelöst': 2, 'erledigt': 1, 'schlimmste*': -4, 'egal': -1, 'langsam*': -2, 'umständlich*': -2, 'kompliziert*': -2, 'chaos': -3, 'chaotisch*': -3, 'frustrier*': -3, 'zumutung*': -4, 'mangelhaft*': -3,
    'gut*': 3, 'super*': 3, 'toll*': 3, 'prima': 3, 'klasse': 3, 'hervorragend*': 4, 'ausgezeichnet*': 4, 'perfekt*': 4, 'zufrieden*': 3, 'freundlich*': 2,
    'hilfsbereit*': 3, 'schnell*': 2, 'danke*': 2, 'dank': 2, 'empfehl*': 3, 'gerne': 2, 'gern': 2, 'kompetent*': 3, 'zuverlässig*': 3, 'einfach*': 1,
    'begeistert*': 4, 'lieb*': 2, 'angenehm*': 2, 'reibungslos*': 3, 'unkompliziert*': 3, 'weiter so': 3, 'top': 3, 'wunderbar*': 4,
  },
  fr: {
    'mauvais*': -3, 'nul': -3, 'nulle': -3, 'horrible*': -4, 'affreu*': -4, 'pire': -3, 'plante*': -2, 'ne sert à rien': -3, 'se moque': -2, 'en moque': -3, 'réglé*': 2, 'résolu*': 2, 'catastroph*': -4, 'lamentable*': -4, 'déçu*': -3, 'décevant*': -3, 'déception*': -3,
    'mécontent*': -3, 'insatisf*': -3, 'inadmissible*': -4, 'inacceptable*': -4, 'scandal*': -4, 'honte*': -4, 'honteux*': -4, 'colère': -3, 'énervé*': -3,
    'agacé*': -2, 'furieux*': -4, 'désagréable*': -3, 'impoli*': -3, 'incompétent*': -4, 'plainte*': -3, 'réclamation*': -3, 'cassé*': -3, 'abîmé*': -3,
    'endommagé*': -3, 'défectueu*': -3, 'erreur*': -2, 'retard*': -2, 'attente*': -1, 'attendu': -1, 'jamais': -1, 'personne': -1, 'ignoré*': -3,
    'rembours*': -1, 'arnaque*': -4, 'escroc*': -4, 'résili*': -2, 'dommage': -2, 'malheureusement': -1, 'problème*': -2, 'lent*': -2, 'compliqué*': -2,
    'pénible*': -3, 'frustr*': -3, 'inutile*': -2, 'perdu*': -2, 'aucune réponse': -3, 'pas de réponse': -3, 'toujours pas': -2,
    'bon': 3, 'bonne*': 3, 'bien': 2, 'très bien': 3, 'super': 3, 'génial*': 4, 'excellent*': 4, 'parfait*': 4, 'satisf*': 3, 'content*': 3, 'ravi*': 4,
    'aimable*': 3, 'sympa*': 2, 'agréable*': 2, 'rapide*': 2, 'rapidement': 2, 'merci': 2, 'recommand*': 3, 'efficace*': 3, 'compétent*': 3, 'fiable*': 3,
    'simple*': 1, 'facile*': 2, 'professionnel*': 3, 'top': 3, 'bravo': 4, 'impeccable*': 4, 'serviable*': 3, 'à l\'écoute': 3, 'formidable*': 4,
  },
};
const NEGATIONS: Record<'de' | 'fr', Set<string>> = {
  de: new Set(['nicht', 'kein', 'keine', 'keinen', 'keinem', 'keiner', 'nie', 'niemals', 'ohne', 'kaum']),
  fr: new Set(['pas', 'jamais', 'plus', 'aucun', 'aucune', 'sans', 'ni', 'guère']),
};

/** Words that name a complaint outright, whatever the score ("I want my money back"). */
const COMPLAINT_PHRASES: Record<'en' | 'de' | 'fr', RegExp> = {
  en: /\b((?<!no |not a |without )complain\w*|refund|money back|unacceptable|never again|cancel\w* my|rip[- ]?off|scam|disgrace\w*|appalling|ridiculous|still (not|no|waiting)|no one (called|answered|replied)|nobody (called|answered|replied)|not (fixed|resolved|arrived|delivered)|broken|damaged|wrong (item|order|size)|lost my|fed up|keeps? crashing|(no one|nobody) (seems to )?cares?)\b/i,
  de: /(beschwer|reklamation|geld zurück|rückerstattung|inakzeptabel|unverschämt|nie wieder|kündig|betrug|abzocke|zumutung|immer noch (nicht|kein)|niemand hat|nicht (angekommen|geliefert|behoben|gelöst|zurückgerufen)|kaputt|beschädigt|defekt|falsche[nrs]? (artikel|ware|größe|bestellung))/i,
  fr: /(plainte|réclamation|rembourse|inadmissible|inacceptable|scandal|plus jamais|résili|arnaque|escroquerie|honteux|honte|toujours pas|personne (ne|n'a)|aucune réponse|pas de réponse|jamais (reçu|arrivé|livré)|pas (reçu|livré|arrivé|résolu|réglé)|cassé|abîmé|endommagé|défectueu|mauvais (article|produit|colis|taille))/i,
};

const afinn = new Sentiment();

export interface Reading { language: Language; sentiment: number; complaint: boolean }

/** AFINN-style score: negative reads unhappy. Languages without a lexicon score 0. */
export function sentimentOf(text: string, language: Language = detectLanguage(text)): number {
  if (language === 'en' || language === 'und') return afinn.analyze(text).score;
  if (language !== 'de' && language !== 'fr') return 0;
  const lexicon = LEXICON[language];
  const negations = NEGATIONS[language];
  const phrases = Object.entries(lexicon).filter(([k]) => k.includes(' '));
  let score = 0;
  // A negation reaches to the end of its clause at most: "nicht angekommen, sehr ärgerlich" stays negative.
  for (const clause of text.split(/[.,;:!?\n]+/)) {
    const words = tokens(clause);
    const lower = ` ${words.join(' ')} `;
    for (const [p, w] of phrases) if (lower.includes(` ${p} `)) score += w;
    words.forEach((word, i) => {
      let w = lexicon[word];
      if (w === undefined) {
        for (const [k, v] of Object.entries(lexicon)) if (k.endsWith('*') && word.startsWith(k.slice(0, -1))) { w = v; break; }
      }
      if (!w) return;
      const negated = words.slice(Math.max(0, i - 3), i).some((p) => negations.has(p)) || (language === 'fr' && words[i + 1] === 'pas') || (language === 'de' && words[i + 1] === 'nicht');
      score += negated ? -w : w;
    });
  }
  return score;
}

/** A comment this negative reads as a complaint (AFINN scale; "slow and terrible" is about −5). */
export const COMPLAINT_SCORE = -3;

export function read(text: string): Reading {
  const language = detectLanguage(text);
  const sentiment = sentimentOf(text, language);
  const key = language === 'de' || language === 'fr' ? language : 'en';
  const complaint = sentiment <= COMPLAINT_SCORE || (COMPLAINT_PHRASES[key].test(text) && sentiment <= 0);
  return { language, sentiment, complaint };
}

export const isComplaint = (text: string) => read(text).complaint;

export interface Theme { phrase: string; language: Language; texts: number; example: string }

/**
 * Themes as phrases: two- and three-word runs without stop words (in each text's own language),
 * counted once per text; a phrase must occur in at least two texts. Longer phrases rank first
 * among equals, and a phrase mostly drawn from the same texts as one already chosen is skipped.
 */
export function phraseThemes(texts: { text: string; language?: Language }[], limit = 10): Theme[] {
  const found = new Map<string, { ids: Set<number>; language: Language }>();
  texts.forEach(({ text, language }, index) => {
    const lang = language ?? detectLanguage(text);
    const stop = STOP[lang] ?? STOP.en!;
    // A run of content words, broken at stop words and punctuation.
    for (const chunk of text.toLowerCase().split(/[.,;:!?()\n"«»]+/)) {
      const run = tokens(chunk).map((t) => (stop.has(t) || t.length < 3 || /^\d+$/.test(t) ? null : t));
      for (let i = 0; i < run.length; i++) {
        for (const n of [2, 3]) {
          const gram = run.slice(i, i + n);
          if (gram.length < n || gram.some((g) => g === null)) continue;
          const phrase = gram.join(' ');
          if (!found.has(phrase)) found.set(phrase, { ids: new Set(), language: lang });
          found.get(phrase)!.ids.add(index);
        }
      }
    }
  });
  const ranked = [...found.entries()].filter(([, f]) => f.ids.size >= 2)
    .sort((a, b) => b[1].ids.size - a[1].ids.size || b[0].split(' ').length - a[0].split(' ').length || a[0].localeCompare(b[0]));
  const chosen: { phrase: string; ids: Set<number>; language: Language }[] = [];
  for (const [phrase, f] of ranked) {
    const overlaps = chosen.some((c) => (c.phrase.includes(phrase) || phrase.includes(c.phrase)) && [...f.ids].filter((id) => c.ids.has(id)).length >= 0.6 * Math.min(f.ids.size, c.ids.size));
    if (overlaps) continue;
    chosen.push({ phrase, ...f });
    if (chosen.length >= limit) break;
  }
  return chosen.map(({ phrase, ids, language }) => ({ phrase, language, texts: ids.size, example: texts[[...ids][0]!]!.text.replace(/\s+/g, ' ').trim().slice(0, 160) }));
}
