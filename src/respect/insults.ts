/**
 * Insults aimed at the reader, in English, German and French. A word list alone cannot tell
 * "a stupid mistake on our side" (fine: it is about us) from "you are stupid" (never fine), so
 * these patterns need the word to be said *of the customer*: "you idiot", "you are a moron",
 * "stop being so stupid", "Sie Idiot", "du bist dumm", "espèce d'idiot", "vous êtes stupide".
 */

// Letter-aware word edges: \b does not know that "é" or "ö" are letters.
const B = '(?<![\\p{L}\\p{N}])';
const E = '(?![\\p{L}\\p{N}])';
const alt = (words: string[]) => `(?:${words.join('|')})`;

const EN_NOUN = alt(['idiots?', 'morons?', 'imbeciles?', 'cretins?', 'fools?', 'dimwits?', 'halfwits?', 'nitwits?', 'dunces?', 'numpty', 'muppets?', 'clowns?', 'losers?', 'retards?', 'dumbass', 'jerks?']);
const EN_ADJ = alt(['stupid', 'dumb', 'idiotic', 'moronic', 'brainless', 'retarded', 'clueless', 'pathetic', 'useless', 'incompetent', 'thick', 'dense', 'slow-witted']);
const EN_FILL = "(?:(?:a|an|such|so|really|just|being|totally|completely|absolutely|utterly|very|quite|clearly|obviously|plain|too|stupid|dumb|bloody|complete|total|utter|little|big|silly|the|biggest|most)\\s+){0,4}";

const DE_NOUN = alt(['idiot(?:in|en)?', 'vollidiot(?:in|en)?', 'trottel', 'volltrottel', 'depp', 'deppen', 'schwachkopf', 'dummkopf', 'blödmann', 'hohlkopf', 'versager(?:in)?', 'arschloch', 'esel', 'affe', 'spinner(?:in)?']);
const DE_ADJ = alt(['dumm', 'blöd', 'bescheuert', 'doof', 'dämlich', 'beschränkt', 'unfähig', 'begriffsstutzig', 'hirnlos']);
const DE_FILL = '(?:(?:ein|eine|einfach|so|wirklich|echt|total|völlig|ja|doch|zu|ganz|blöder?|dummer?|verdammter?|alter?|kleiner?|richtiger?)\\s+){0,4}';

const FR_NOUN = alt(['idiot(?:e|s|es)?', 'imbécile(?:s)?', 'crétin(?:e|s|es)?', 'abruti(?:e|s|es)?', 'débile(?:s)?', 'con(?:ne|s|nes)?', 'connard(?:e|s)?', 'andouille', 'incapable(?:s)?', 'minable(?:s)?', 'nul(?:le|s|les)?']);
const FR_ADJ = alt(['stupide(?:s)?', 'bête(?:s)?', 'idiot(?:e|s|es)?', 'débile(?:s)?', 'con(?:ne|s|nes)?', 'nul(?:le|s|les)?', 'incompétent(?:e|s|es)?', 'abruti(?:e|s|es)?', 'crétin(?:e|s|es)?', 'imbécile(?:s)?']);
const FR_FILL = '(?:(?:un|une|des|vraiment|si|tellement|trop|complètement|totalement|bien|juste|franchement|sacrée?|gros|grosse|pauvre)\\s+){0,4}';
const APOS = "['’]";

const PATTERNS = [
  // "you idiot", "you stupid moron", "you are a moron", "you're so stupid", "are you dumb"
  `you\\s+${EN_FILL}${EN_NOUN}`,
  `(?:you\\s+are|you${APOS}re|youre|ur|u\\s+r|you\\s+were|you\\s+must\\s+be|you\\s+seem|you\\s+look|you\\s+sound|are\\s+you|you\\s+can${APOS}?t\\s+be\\s+that)\\s+${EN_FILL}(?:${EN_ADJ}|${EN_NOUN})`,
  // "stop being so stupid", "don't be dumb", "how stupid are you", "your stupid question"
  `(?:stop|quit)\\s+being\\s+${EN_FILL}(?:${EN_ADJ}|${EN_NOUN})`,
  `(?:don${APOS}?t|do\\s+not)\\s+be\\s+${EN_FILL}(?:${EN_ADJ}|${EN_NOUN})`,
  `how\\s+${EN_ADJ}\\s+(?:are|can|could|must)\\s+you`,
  `your\\s+(?:stupid|dumb|idiotic|moronic|brainless)`,
  // "Sie Idiot", "du Idiot", "Sie sind dumm", "du bist ein Trottel", "seien Sie nicht so blöd"
  `(?:sie|du|ihr)\\s+${DE_FILL}${DE_NOUN}`,
  `(?:sie\\s+sind|du\\s+bist|bist\\s+du|sind\\s+sie|ihr\\s+seid|seid\\s+ihr)\\s+${DE_FILL}(?:${DE_ADJ}|${DE_NOUN})`,
  `(?:sei|seien\\s+sie|seid)\\s+(?:nicht\\s+)?${DE_FILL}${DE_ADJ}`,
  // "espèce d'idiot", "vous êtes stupide", "tu es un crétin", "t'es con", "pauvre idiot"
  `espèce\\s+d(?:e\\s+|${APOS}\\s*)${FR_NOUN}`,
  `(?:vous\\s+êtes|tu\\s+es|t${APOS}es|êtes[-\\s]vous|es[-\\s]tu)\\s+${FR_FILL}${FR_ADJ}`,
  `(?:soyez|sois)\\s+(?:pas\\s+)?${FR_FILL}${FR_ADJ}`,
  `pauvre\\s+${FR_NOUN}`,
];

const INSULT = new RegExp(`${B}(?:${PATTERNS.join('|')})${E}`, 'giu');

/** The insults aimed at the reader, as written in the text. */
export function insultsIn(text: string): string[] {
  return [...new Set([...text.matchAll(INSULT)].map((m) => m[0].replace(/\s+/g, ' ')))];
}
