/**
 * Themes of comments: the words and two-word phrases customers use most, stop words removed,
 * each with how many comments mention it and one example. Plain counting, so anyone can check it.
 */
const STOP = new Set(('a about above after again all am an and any are as at be because been before being below between both but by can could did do does doing '
  + 'down during each few for from further had has have having he her here hers him his how i if in into is it its itself just me more most my no nor not '
  + 'now of off on once only or other our ours out over own same she should so some such than that the their theirs them then there these they this those '
  + 'through to too under until up very was we were what when where which while who whom why will with would you your yours im ive dont cant its thats '
  + "also get got really much many one even still use using used thing things lot like make makes made way sometimes always would could it's i'm don't can't that's there's doesn't isn't i've you're").split(/\s+/));

/** "templates" and "template" are one theme: a plain plural is folded into its singular. */
const singular = (t: string) => (t.length > 4 && t.endsWith('s') && !t.endsWith('ss') && !t.endsWith('us') ? t.slice(0, -1) : t);

export interface Theme { phrase: string; comments: number; example: string }

export function topThemes(comments: string[], limit = 8): Theme[] {
  const found = new Map<string, Set<number>>();
  comments.forEach((comment, index) => {
    const tokens = comment.toLowerCase().replace(/[^a-z0-9\s'-]/g, ' ').split(/\s+/).map((t) => t.replace(/^'+|'+$/g, '')).filter((t) => t.length > 2 && !STOP.has(t)).map(singular);
    tokens.forEach((t, i) => {
      for (const phrase of i + 1 < tokens.length ? [t, `${t} ${tokens[i + 1]}`] : [t]) {
        if (!found.has(phrase)) found.set(phrase, new Set());
        found.get(phrase)!.add(index);
      }
    });
  });
  // A two-word phrase says more than its single words, so it counts a little higher.
  const weight = (phrase: string, n: number) => n * (phrase.includes(' ') ? 1.5 : 1);
  const ranked = [...found.entries()].filter(([, ids]) => ids.size >= 2).sort((a, b) => weight(b[0], b[1].size) - weight(a[0], a[1].size));
  const chosen: { phrase: string; ids: Set<number> }[] = [];
  for (const [phrase, ids] of ranked) {
    // Skip phrases that mostly come from the same comments as a theme already chosen
    // ("took two", "two emails" from one repeated sentence are one theme, not two).
    const overlaps = chosen.some((c) => [...ids].filter((id) => c.ids.has(id)).length >= 0.6 * Math.min(ids.size, c.ids.size));
    if (overlaps) continue;
    chosen.push({ phrase, ids });
    if (chosen.length >= limit) break;
  }
  return chosen.map(({ phrase, ids }) => ({ phrase, comments: ids.size, example: comments[[...ids][0]!]!.replace(/\s+/g, ' ').trim().slice(0, 160) }));
}
