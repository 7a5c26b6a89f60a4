/**
 * Erlang C, the textbook queue model for a contact centre: calls (or chats) arrive at random
 * (Poisson), each takes an exponentially distributed handle time, n agents serve one queue.
 * Numerically stable at any size: the Erlang B blocking probability is built up by its
 * recursion B(n) = A·B(n−1) / (n + A·B(n−1)), which stays in [0, 1], and C comes from B.
 * No factorial or power of A is ever formed, so 1,000+ agents cost a loop, not an overflow.
 */

export interface ErlangInput {
  arrivalsPerHour: number;
  ahtSeconds: number;
  /** Answered within this many seconds counts as "within the standard". */
  targetSeconds: number;
  /** Share to answer within targetSeconds, 0–1 (0.8 for 80 %). */
  targetLevel: number;
  /** Share of paid time agents are not available to answer (breaks, training), 0–<1. */
  shrinkage: number;
}

export interface ErlangFigures {
  agents: number;
  probabilityOfWaiting: number;
  serviceLevel: number;
  averageSpeedOfAnswerSeconds: number;
  occupancy: number;
}

/** Erlang C probability that an arrival waits, for n agents and A erlangs of traffic (n > A). */
export function erlangC(n: number, a: number): number {
  if (a <= 0) return 0;
  if (n <= a) return 1;
  let b = 1;
  for (let k = 1; k <= n; k++) b = (a * b) / (k + a * b);
  return (n * b) / (n - a * (1 - b));
}

export function figuresFor(n: number, a: number, ahtSeconds: number, targetSeconds: number): ErlangFigures {
  if (n <= a) return { agents: n, probabilityOfWaiting: 1, serviceLevel: 0, averageSpeedOfAnswerSeconds: Infinity, occupancy: 1 };
  const c = erlangC(n, a);
  return {
    agents: n,
    probabilityOfWaiting: c,
    serviceLevel: 1 - c * Math.exp(-((n - a) * targetSeconds) / ahtSeconds),
    averageSpeedOfAnswerSeconds: (c * ahtSeconds) / (n - a),
    occupancy: a / n,
  };
}

/**
 * The fewest agents answering targetLevel within targetSeconds; B is carried along the search,
 * so finding n costs O(n) in all.
 */
export function agentsNeeded(input: ErlangInput): ErlangFigures & { trafficErlangs: number; scheduledAgents: number } {
  const a = (input.arrivalsPerHour / 3600) * input.ahtSeconds;
  const withShrinkage = (f: ErlangFigures) => ({ ...f, trafficErlangs: a, scheduledAgents: Math.ceil(f.agents / (1 - input.shrinkage) - 1e-9) });
  if (a === 0) return withShrinkage({ agents: 0, probabilityOfWaiting: 0, serviceLevel: 1, averageSpeedOfAnswerSeconds: 0, occupancy: 0 });
  let b = 1;
  for (let n = 1; ; n++) {
    b = (a * b) / (n + a * b);
    if (n <= a) continue;
    const c = (n * b) / (n - a * (1 - b));
    const serviceLevel = 1 - c * Math.exp(-((n - a) * input.targetSeconds) / input.ahtSeconds);
    if (serviceLevel >= input.targetLevel) {
      return withShrinkage({ agents: n, probabilityOfWaiting: c, serviceLevel, averageSpeedOfAnswerSeconds: (c * input.ahtSeconds) / (n - a), occupancy: a / n });
    }
  }
}
