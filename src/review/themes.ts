/**
 * Themes of comments: the words and two-word phrases customers use most, stop words removed,
 * each with how many comments mention it and one example. Plain counting, so anyone can check it.
 */
const STOP = new Set(('a about above after again all am an and any are as at be because been before being below between both but by can could did do does doing '
  + 'down during each few for from further had has have having he her here hers him his how i if in into is it its itself just me more most my no nor not '
  + 'now of off on once only or other our ours out over own same she should so some such than that the their theirs them then there these they this those '
  + 'through to too under until up very was we were what when where which while who whom why will with would you your yours im ive dont cant its thats '
  + "also get got really much many one even still use using used thing things lot like make makes made way sometimes always would could it's i'm don't can't that's there's doesn't isn't i've you're").split(/\s+/));

export interface Theme { phrase: string; comments: number; example: string }

export function topThemes(comments: string[], limit = 8): Theme[] {
  const counts = new Map<string, { n: number; example: string }>();
  for (const comment of comments) {
    const tokens = comment.toLowerCase().replace(/[^a-z0-9\s'-]/g, ' ').split(/\s+/).map((t) => t.replace(/^'+|'+$/g, '')).filter((t) => t.length > 2 && !STOP.has(t));
    const seen = new Set<string>();
    tokens.forEach((t, i) => {
      seen.add(t);
      if (i + 1 < tokens.length) seen.add(`${t} ${tokens[i + 1]}`);
    });
    for (const phrase of seen) {
      const c = counts.get(phrase) ?? { n: 0, example: comment.replace(/\s+/g, ' ').trim().slice(0, 160) };
      c.n += 1;
      counts.set(phrase, c);
    }
  }
  const ranked = [...counts.entries()].filter(([, c]) => c.n >= 2)
    // a phrase is worth more than its single words: count two-word phrases a little higher
    .sort((a, b) => b[1].n * (b[0].includes(' ') ? 1.5 : 1) - a[1].n * (a[0].includes(' ') ? 1.5 : 1));
  const chosen: Theme[] = [];
  for (const [phrase, c] of ranked) {
    if (chosen.some((t) => t.phrase.includes(phrase) || phrase.includes(t.phrase))) continue;
    chosen.push({ phrase, comments: c.n, example: c.example });
    if (chosen.length >= limit) break;
  }
  return chosen;
}
