/**
 * The statistics behind "what predicts loyalty", written out so anyone can check them:
 * Johnson's relative weights (Johnson 2000) with a Jacobi eigen-decomposition, seeded bootstrap
 * intervals, Pearson correlation, Welch's t-test and Holm's correction for many comparisons.
 */

/** Cyclic Jacobi rotations for a symmetric matrix: eigenvalues and eigenvectors (as columns of V). */
export function jacobiEigen(a: number[][], maxSweeps = 100): { values: number[]; vectors: number[][] } {
  const n = a.length;
  const A = a.map((r) => [...r]);
  const V: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p]![q]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p]![q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (A[q]![q]! - A[p]![p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k]![p]!;
          const akq = A[k]![q]!;
          A[k]![p] = c * akp - s * akq;
          A[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p]![k]!;
          const aqk = A[q]![k]!;
          A[p]![k] = c * apk - s * aqk;
          A[q]![k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k]![p]!;
          const vkq = V[k]![q]!;
          V[k]![p] = c * vkp - s * vkq;
          V[k]![q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: A.map((r, i) => r[i]!), vectors: V };
}

/** Sums that a correlation matrix is built from: one pass over the rows, weights allowed (bootstrap). */
export interface Moments { n: number; mean: number[]; cov: number[][] }

/** Columns 0..p-1 are predictors, column p is the outcome. `times[i]` counts row i (bootstrap), default 1. */
export function moments(rows: Float64Array[] | number[][], width: number, times?: Uint32Array): Moments {
  const mean = new Array<number>(width).fill(0);
  const cov = Array.from({ length: width }, () => new Array<number>(width).fill(0));
  let n = 0;
  // Welford-style update keeps the sums accurate for a million rows.
  const delta = new Array<number>(width).fill(0);
  for (let r = 0; r < rows.length; r++) {
    const w = times ? times[r]! : 1;
    if (!w) continue;
    const row = rows[r]!;
    const nNew = n + w;
    for (let j = 0; j < width; j++) delta[j] = row[j]! - mean[j]!;
    for (let j = 0; j < width; j++) mean[j] = mean[j]! + (delta[j]! * w) / nNew;
    const f = (w * n) / nNew;
    for (let i = 0; i < width; i++) {
      const ci = cov[i]!;
      for (let j = i; j < width; j++) ci[j] = ci[j]! + f * delta[i]! * delta[j]!;
    }
    n = nNew;
  }
  for (let i = 0; i < width; i++) for (let j = 0; j < i; j++) cov[i]![j] = cov[j]![i]!;
  return { n, mean, cov };
}

export interface RelativeWeights { r2: number; raw: number[]; share: number[] }

/**
 * Johnson's relative weights from the covariance sums: R = correlations of the predictors,
 * R = V·diag(λ)·Vᵀ, Λ = V·diag(√λ)·Vᵀ, β = Λ⁻¹·r_xy (the outcome regressed on the orthogonal
 * Z = X·Λ⁻¹), raw weight_j = Σ_k Λ_jk²·β_k², R² = Σ_j raw weight_j.
 */
export function relativeWeights(m: Moments, p: number): RelativeWeights {
  const sd = m.cov.map((r, i) => Math.sqrt(r[i]!));
  const corr = (i: number, j: number) => m.cov[i]![j]! / (sd[i]! * sd[j]!);
  const R = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => (i === j ? 1 : corr(i, j))));
  const rxy = Array.from({ length: p }, (_, i) => corr(i, p));
  const { values, vectors: V } = jacobiEigen(R);
  const lambda = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => {
    let s = 0;
    for (let k = 0; k < p; k++) s += V[i]![k]! * Math.sqrt(Math.max(values[k]!, 0)) * V[j]![k]!;
    return s;
  }));
  // Λ⁻¹·r_xy = V·diag(1/√λ)·Vᵀ·r_xy; a zero eigenvalue (perfectly collinear answers) carries nothing.
  const vtr = Array.from({ length: p }, (_, k) => V.reduce((s, row, i) => s + row[k]! * rxy[i]!, 0));
  const beta = Array.from({ length: p }, (_, i) => {
    let s = 0;
    for (let k = 0; k < p; k++) if (values[k]! > 1e-12) s += (V[i]![k]! * vtr[k]!) / Math.sqrt(values[k]!);
    return s;
  });
  const raw = Array.from({ length: p }, (_, j) => lambda[j]!.reduce((s, l, k) => s + l * l * beta[k]! ** 2, 0));
  const r2 = raw.reduce((a, b) => a + b, 0);
  return { r2, raw, share: raw.map((w) => (r2 > 0 ? w / r2 : 0)) };
}

/** A small, fast, seeded generator (mulberry32): the same seed gives the same intervals. */
export function seeded(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Poisson draw: Knuth's method for small means, the normal approximation beyond 30. */
function poisson(mean: number, random: () => number): number {
  if (mean > 30) {
    const z = Math.sqrt(-2 * Math.log(random() + 1e-300)) * Math.cos(2 * Math.PI * random());
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * z));
  }
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = random(); p > limit; p *= random()) k += 1;
  return k;
}

/**
 * Percentile bootstrap of each raw weight, `resamples` times. Rows come as distinct answer
 * patterns with their counts; each resample gives every original answer a Poisson(1) number of
 * copies (the Poisson bootstrap, Hanley & MacGibbon 2006: asymptotically the same as drawing n
 * rows with replacement), so a pattern seen c times gets Poisson(c) copies and a million
 * answers cost no more than their distinct patterns.
 */
export function bootstrapWeights(rows: Float64Array[], p: number, resamples: number, seed: number, counts?: Uint32Array): [number, number][] {
  const random = seeded(seed);
  const samples: number[][] = Array.from({ length: p }, () => []);
  const times = new Uint32Array(rows.length);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < rows.length; i++) times[i] = poisson(counts ? counts[i]! : 1, random);
    const m = moments(rows, p + 1, times);
    if (m.cov.some((r, i) => !(r[i]! > 0))) continue; // a resample where an answer never varies says nothing
    relativeWeights(m, p).raw.forEach((w, j) => samples[j]!.push(w));
  }
  return samples.map((s) => {
    s.sort((x, y) => x - y);
    const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))] ?? NaN;
    return [at(0.025), at(0.975)];
  });
}

export function pearson(x: number[], y: number[]): number | null {
  const n = x.length;
  if (n < 3) return null;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxx && syy ? sxy / Math.sqrt(sxx * syy) : null;
}

/** The standard normal distribution function (Abramowitz–Stegun 7.1.26, error < 1.5e-7). */
export function normalCdf(z: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(z) / Math.SQRT2);
  const erf = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(z * z) / 2);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Holm's step-down adjustment: adjusted p-values, in the input order, never below the raw ones. */
export function holm(pValues: number[]): number[] {
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const adjusted = new Array<number>(pValues.length);
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (pValues.length - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}
