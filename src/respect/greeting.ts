/**
 * Is the greeting of a reply the way this customer is to be addressed? Formal address (title
 * and surname) is always right, also once the first name is allowed; the first name only when
 * it is. "Mr." is "Mr"; German and French greetings ("Sehr geehrter Herr Müller", "Bonjour
 * Madame Dupont", "Monsieur Martin,") are read the same way, their titles standing for the
 * English ones of the same gender (Herr is Mr; Frau and Madame are Mrs or Ms).
 */

export interface Addressee {
  salutation: string;
  name: string;
  title?: string | null;
  givenName?: string | null;
  familyName?: string | null;
  firstNameOk?: boolean;
}

type Lang = 'en' | 'de' | 'fr';

const OPENERS: [RegExp, Lang][] = [
  [/^(?:dear|hi|hello|hey|good (?:morning|afternoon|evening))$/i, 'en'],
  [/^(?:sehr geehrter?|liebe[r]?|hallo|guten (?:morgen|tag|abend)|moin|servus)$/i, 'de'],
  [/^(?:bonjour|bonsoir|salut|cher|chère|chers|chères)$/i, 'fr'],
];
const OPENER = /dear|hi|hello|hey|good (?:morning|afternoon|evening)|sehr geehrter?|liebe[r]?|hallo|guten (?:morgen|tag|abend)|moin|servus|bonjour|bonsoir|salut|ch[eè]re?s?/
  .source;
const TITLE = /mr|mrs|ms|miss|mx|dr|prof|sir|madam|herr|frau|fräulein|monsieur|madame|mademoiselle|m|mme|mlle/.source;
// An opener and a name, or a title and a name alone ("Monsieur Martin,"), up to , ! or end of line.
const GREETING = new RegExp(`^\\s*(?:(${OPENER})[ \\t]+([^,\\n!]+?)|((?:${TITLE})\\.?(?:[ \\t]+[^\\s,!]+){0,2}))[ \\t]*[,!\\n]`, 'iu');

const MALE = new Set(['mr', 'sir', 'herr', 'monsieur', 'm']);
const FEMALE = new Set(['mrs', 'ms', 'miss', 'madam', 'frau', 'fräulein', 'madame', 'mademoiselle', 'mme', 'mlle']);
const ENGLISH = new Set(['mr', 'mrs', 'ms', 'miss', 'mx', 'sir', 'madam']);
const TITLES = new Set([...MALE, ...FEMALE, ...ENGLISH, 'dr', 'prof']);

const bare = (w: string) => w.toLowerCase().replace(/\.$/, '');
const norm = (s: string) => s.normalize('NFC').replace(/\.(?=\s|$)/g, '').replace(/\s+/g, ' ').trim().toLowerCase();
const genderOf = (t: string) => (MALE.has(t) ? 'male' : FEMALE.has(t) ? 'female' : null);

/** Same title, or the German/French title for the same gender as the English one. */
function sameTitle(used: string, theirs: string): boolean {
  const u = bare(used);
  const c = bare(theirs);
  if (u === c) return true;
  const g = genderOf(u);
  return g !== null && g === genderOf(c) && (!ENGLISH.has(u) || !ENGLISH.has(c));
}

export interface Greeting {
  opener: string | null;
  lang: Lang;
  /** Who it greets: "Mrs Okafor", "Herr Müller", "Ada". */
  addressed: string;
}

export function readGreeting(body: string): Greeting | null {
  const m = GREETING.exec(body);
  if (!m) return null;
  const opener = m[1] ? m[1].replace(/\s+/g, ' ') : null;
  const addressed = (m[2] ?? m[3]!).trim().replace(/\s+/g, ' ');
  const lang = opener ? OPENERS.find(([re]) => re.test(opener))![1]
    : /^(?:herr|frau|fräulein)\b/i.test(addressed) ? 'de' : /^(?:monsieur|madame|mademoiselle|mme|mlle|m)\b/i.test(addressed) ? 'fr' : 'en';
  return { opener, lang, addressed };
}

export function fitsAddressee(g: Greeting, c: Addressee): boolean {
  const used = norm(g.addressed);
  if (used === norm(c.salutation)) return true;
  if (c.firstNameOk && c.givenName && used === norm(c.givenName)) return true;
  if (!c.title) return false;
  const words = g.addressed.split(' ');
  const theirs = c.title.split(/\s+/);
  let n = 0;
  while (n < words.length && TITLES.has(bare(words[n]!))) n += 1;
  if (n === words.length) {
    // "Bonjour Madame," "Sehr geehrter Herr," and "Dear Sir," are formal without the surname.
    const used1 = bare(words[0]!);
    return n === 1 && genderOf(used1) !== null && genderOf(used1) === genderOf(bare(theirs[0]!)) && (g.lang !== 'en' || used1 === 'sir' || used1 === 'madam');
  }
  if (n !== theirs.length || !theirs.every((t, i) => sameTitle(words[i]!, t))) return false;
  return !!c.familyName && norm(words.slice(n).join(' ')) === norm(c.familyName);
}

/** The greeting to write instead, in the language the writer used. */
export function betterGreeting(g: Greeting, c: Addressee): string {
  const gender = c.title ? genderOf(bare(c.title.split(/\s+/)[0]!)) : null;
  const formal = c.title && c.familyName && gender && !(c.firstNameOk && g.lang === 'en');
  if (!formal || g.lang === 'en') return `${g.opener ?? 'Dear'} ${c.salutation}`;
  const male = gender === 'male';
  if (g.lang === 'de') {
    const opener = !g.opener ? '' : /^sehr geehrt/i.test(g.opener) ? (male ? 'Sehr geehrter' : 'Sehr geehrte') : /^lieb/i.test(g.opener) ? (male ? 'Lieber' : 'Liebe') : g.opener;
    return `${opener} ${male ? 'Herr' : 'Frau'} ${c.familyName}`.trim();
  }
  const opener = !g.opener ? '' : /^ch/i.test(g.opener) ? (male ? 'Cher' : 'Chère') : g.opener;
  return `${opener} ${male ? 'Monsieur' : 'Madame'} ${c.familyName}`.trim();
}

/** German and French openers agree with the gender of whom they greet: not "Sehr geehrter Frau". */
export function openerAgrees(g: Greeting): boolean {
  if (!g.opener) return true;
  const gender = genderOf(bare(g.addressed.split(' ')[0]!));
  if (!gender) return true;
  const o = g.opener.toLowerCase();
  if (/^(?:sehr geehrter|lieber|cher)$/.test(o)) return gender === 'male';
  if (/^(?:sehr geehrte|liebe|chère)$/.test(o)) return gender === 'female';
  return true;
}
