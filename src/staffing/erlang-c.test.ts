/**
 * Erlang C checked against independent reference values. They were computed with Python's
 * mpmath at 60 significant digits from the closed form with factorials,
 *   C = (Aⁿ/n! · n/(n−A)) / (Σₖ₌₀ⁿ⁻¹ Aᵏ/k! + Aⁿ/n! · n/(n−A)),
 * searching n upward until SL = 1 − C·e^(−(n−A)T/AHT) reaches the target — a different route
 * from the code's Erlang B recursion (script: see the comment at the end of this file).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agentsNeeded, erlangC } from './erlang-c';

const CASES = [
  // arrivals/h, AHT s, target s, level → agents, P(wait), SL, ASA s, occupancy
  { q: [100, 180, 20, 0.8], n: 8, c: 0.1672665067, sl: 0.8801483108, asa: 10.0359904, occ: 0.625 },
  { q: [360, 240, 20, 0.8], n: 29, c: 0.2422739847, sl: 0.8402831457, asa: 11.62915126, occ: 0.8275862069 },
  { q: [12000, 180, 20, 0.8], n: 610, c: 0.5813395356, sl: 0.8086271013, asa: 10.46411164, occ: 0.9836065574 },
  { q: [20000, 300, 15, 0.9], n: 1694, c: 0.3920874839, sl: 0.9000351803, asa: 4.303399213, occ: 0.9838646202 },
] as const;

describe('Erlang C staffing calculator', () => {
  for (const t of CASES) {
    it(`${t.q[0]} contacts an hour of ${t.q[1]} s need ${t.n} agents for ${t.q[3] * 100} % within ${t.q[2]} s, to 4 decimals`, () => {
      const [arrivalsPerHour, ahtSeconds, targetSeconds, targetLevel] = t.q;
      const f = agentsNeeded({ arrivalsPerHour, ahtSeconds, targetSeconds, targetLevel, shrinkage: 0 });
      assert.equal(f.agents, t.n);
      assert.equal(f.probabilityOfWaiting.toFixed(4), t.c.toFixed(4));
      assert.equal(f.serviceLevel.toFixed(4), t.sl.toFixed(4));
      assert.equal(f.averageSpeedOfAnswerSeconds.toFixed(4), t.asa.toFixed(4));
      assert.equal(f.occupancy.toFixed(4), t.occ.toFixed(4));
    });
  }

  it('stays finite and exact for thousands of agents, where factorials overflow', () => {
    const c = erlangC(5000, 4900);
    assert.ok(Number.isFinite(c) && c > 0 && c < 1);
  });

  it('shrinkage raises the agents to schedule, not the agents needed on the phones', () => {
    const f = agentsNeeded({ arrivalsPerHour: 100, ahtSeconds: 180, targetSeconds: 20, targetLevel: 0.8, shrinkage: 0.3 });
    assert.equal(f.agents, 8);
    assert.equal(f.scheduledAgents, 12); // 8 / 0.7 = 11.4 → 12
  });
});

/* Reference script (python3, mpmath 1.3):
from mpmath import mp, mpf, factorial, exp
mp.dps = 60
def figures(lam_h, aht, T, target):
    A = mpf(lam_h) / 3600 * aht
    n = int(A) + 1
    while True:
        top = A**n / factorial(n) * n / (n - A)
        C = top / (sum(A**k / factorial(k) for k in range(n)) + top)
        sl = 1 - C * exp(-(n - A) * T / aht)
        if sl >= target: return n, C, sl, C * aht / (n - A), A / n
        n += 1
*/
