/**
 * The figures, with their uncertainty. NPS = 100 × (promoters − detractors) / answers, skips
 * excluded. Its 95 % interval uses the adjusted-Wald method (Rocks 2016): add 3 answers, 0.75 to
 * the promoters and 0.75 to the detractors, then a normal interval around the adjusted NPS.
 * A change between two periods is called only when it exceeds 1.96 × the combined standard error.
 */
const Z = 1.96;

export interface NpsFigure {
  answers: number;
  promoters: number;
  passives: number;
  detractors: number;
  /** null when nobody answered: there is no score to show */
  nps: number | null;
  /** 95 % interval, NPS points; null without answers */
  low: number | null;
  high: number | null;
  /** standard error of the adjusted NPS, in NPS points */
  se: number | null;
}

export const isPromoter = (score: number) => score >= 9;
export const isDetractor = (score: number) => score <= 6;

export function npsOf(scores: number[]): NpsFigure {
  const answers = scores.length;
  const promoters = scores.filter(isPromoter).length;
  const detractors = scores.filter(isDetractor).length;
  return npsFromCounts(promoters, answers - promoters - detractors, detractors);
}

export function npsFromCounts(promoters: number, passives: number, detractors: number): NpsFigure {
  const answers = promoters + passives + detractors;
  if (!answers) return { answers, promoters, passives, detractors, nps: null, low: null, high: null, se: null };
  const n = answers + 3;
  const p = (promoters + 0.75) / n;
  const d = (detractors + 0.75) / n;
  const adjusted = p - d;
  const variance = (p + d - adjusted ** 2) / n;
  const se = Math.sqrt(variance);
  return {
    answers, promoters, passives, detractors,
    nps: (100 * (promoters - detractors)) / answers,
    // An NPS cannot leave [-100, 100], so neither can its interval.
    low: Math.max(-100, 100 * (adjusted - Z * se)),
    high: Math.min(100, 100 * (adjusted + Z * se)),
    se: 100 * se,
  };
}

/** Is the move from `before` to `after` bigger than chance would explain? */
export function significantChange(before: NpsFigure, after: NpsFigure): boolean {
  if (before.nps === null || after.nps === null || before.se === null || after.se === null) return false;
  return Math.abs(after.nps - before.nps) > Z * Math.sqrt(before.se ** 2 + after.se ** 2);
}

/**
 * Answers needed for a ± margin (NPS points) at 95 %, from the current mix of promoters and
 * detractors (or the worst case while there are fewer than 30 answers).
 */
export function sampleSizeFor(margin: number, current?: NpsFigure): number {
  let variance = 1; // worst case: half promoters, half detractors
  // Too few answers say little about the mix: plan for the worst case until there are some.
  if (current && current.answers >= 30) {
    const p = current.promoters / current.answers;
    const d = current.detractors / current.answers;
    variance = Math.max(p + d - (p - d) ** 2, 0.01);
  }
  return Math.ceil((Z ** 2 * variance) / (margin / 100) ** 2);
}

/** Customer effort: mean on the 1–7 scale and the share who agree (5–7). */
export function cesOf(scores: number[]) {
  if (!scores.length) return { answers: 0, mean: null, agreeShare: null };
  return { answers: scores.length, mean: scores.reduce((a, b) => a + b, 0) / scores.length, agreeShare: scores.filter((s) => s >= 5).length / scores.length };
}
