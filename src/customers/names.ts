/**
 * A bare name ("Mrs Helen Clark", "Clark, Helen", "Herr Dr. Hans Müller") read into title,
 * first name and surname, so a customer who arrives with a name only is still addressed as
 * they introduced themselves ("Mrs Clark") and not by a first name they never offered.
 */

export interface ParsedName {
  /** The name without its title, in "first last" order. */
  name: string;
  title: string | null;
  givenName: string | null;
  familyName: string | null;
}

// Lower case, without a full stop. Written back the way the sender wrote it, minus the stop.
const TITLES = new Set([
  'mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'sir', 'dame', 'lady', 'lord', 'rev',
  'herr', 'frau', 'fräulein', 'monsieur', 'madame', 'mademoiselle', 'm', 'mme', 'mlle', 'me', 'maître',
]);
// Surname particles: "Ludwig van Beethoven" has the surname "van Beethoven".
const PARTICLES = new Set(['van', 'von', 'der', 'den', 'de', 'del', 'della', 'di', 'da', 'dos', 'das', 'du', 'la', 'le', 'ten', 'ter', 'zu', 'bin', 'al']);
const SUFFIXES = new Set(['jr', 'sr', 'ii', 'iii', 'iv', 'phd', 'md', 'esq']);

const bare = (word: string) => word.toLowerCase().replace(/\.$/, '');

export function parseDisplayName(raw: string): ParsedName {
  // Mail clients quote names and add the company in brackets: "\"Clark, Helen (Acme)\"".
  let text = raw.replace(/\([^)]*\)/g, ' ').replace(/["“”]/g, ' ').replace(/\s+/g, ' ').trim();
  const comma = /^([^,]+),\s*([^,]+)$/.exec(text);
  // "Clark, Helen" is surname first; "Helen Clark, PhD" is a suffix, handled below.
  if (comma && !SUFFIXES.has(bare(comma[2]!))) text = `${comma[2]} ${comma[1]}`;
  const words = text.replace(/,/g, ' ').split(' ').filter(Boolean);
  while (words.length > 1 && SUFFIXES.has(bare(words.at(-1)!))) words.pop();

  const titles: string[] = [];
  // "M" alone is only a title before a name ("M Martin"), never the whole name.
  while (words.length > 1 && TITLES.has(bare(words[0]!))) titles.push(words.shift()!.replace(/\.$/, ''));
  const title = titles.length ? titles.join(' ') : null;
  if (!words.length) return { name: raw.trim(), title: null, givenName: null, familyName: null };

  const name = words.join(' ');
  if (words.length === 1) {
    // With a title the single word is a surname ("Monsieur Martin"); alone it is what they go by.
    // "Monsieur Martin" keeps the title in the name: "Martin" alone would say too little.
    return title ? { name: `${title} ${name}`, title, givenName: null, familyName: name } : { name, title: null, givenName: name, familyName: null };
  }
  let split = words.length - 1;
  while (split > 1 && PARTICLES.has(words[split - 1]!.toLowerCase())) split -= 1;
  return { name, title, givenName: words.slice(0, split).join(' '), familyName: words.slice(split).join(' ') };
}
