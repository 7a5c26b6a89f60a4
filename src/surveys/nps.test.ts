import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cesOf, npsOf, sampleSizeFor, significantChange } from './nps';

const close = (actual: number | null, expected: number, digits = 6) => assert.ok(actual !== null && Math.abs(actual - expected) < 10 ** -digits, `${actual} ≠ ${expected}`);

describe('NPS and its interval (adjusted Wald, Rocks 2016)', () => {
  it('no answers: no score and no interval', () => {
    assert.deepEqual(npsOf([]), { answers: 0, promoters: 0, passives: 0, detractors: 0, nps: null, low: null, high: null, se: null });
  });

  it('a balanced sample: 2 promoters, 2 passives, 2 detractors', () => {
    const f = npsOf([10, 9, 8, 7, 6, 0]);
    assert.equal(f.nps, 0);
    // n = 9, p = d = 2.75 / 9, var = (p + d) / 9
    close(f.se, 26.057865332352385);
    close(f.low, -51.07341605141068);
    close(f.high, 51.07341605141068);
  });

  it('all promoters: NPS 100, the interval capped at 100', () => {
    const f = npsOf(Array(10).fill(10));
    assert.equal(f.nps, 100);
    close(f.low, 47.50301094417394);
    assert.equal(f.high, 100);
  });

  it('n = 1: a single promoter or detractor says little', () => {
    const one = npsOf([9]);
    assert.equal(one.nps, 100);
    close(one.low, -48.5);
    close(one.high, 98.5);
    const bad = npsOf([3]);
    assert.equal(bad.nps, -100);
    close(bad.low, -98.5);
    close(bad.high, 48.5);
  });

  it('skips are not answers', () => {
    assert.equal(npsOf([10, 0]).answers, 2);
  });

  it('a change is flagged only beyond 1.96 × the combined standard error', () => {
    const before = npsOf([...Array(50).fill(9), ...Array(50).fill(5)]); // NPS 0
    assert.equal(significantChange(before, npsOf([...Array(55).fill(9), ...Array(45).fill(5)])), false); // +10 on 100 answers: noise
    assert.equal(significantChange(before, npsOf([...Array(80).fill(9), ...Array(20).fill(5)])), true); // +60: real
  });

  it('sample size for a ±5-point margin: 1,537 in the worst case, fewer when answers agree', () => {
    assert.equal(sampleSizeFor(5), 1537);
    assert.ok(sampleSizeFor(5, npsOf([...Array(90).fill(10), ...Array(10).fill(8)])) < 1537);
  });

  it('customer effort: mean and share who agree (5–7)', () => {
    assert.deepEqual(cesOf([7, 6, 5, 4, 1]), { answers: 5, mean: 4.6, agreeShare: 0.6 });
    assert.deepEqual(cesOf([]), { answers: 0, mean: null, agreeShare: null });
  });
});
