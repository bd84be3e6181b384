import { describe, expect, it } from 'vitest';
import { majorityAtK, meanPassAtK, meanPassAtKDetailed, PAPER_KS, passAtK, passAtKFromCorrect } from '../src/passk';

/** Fraction of k-subsets of n samples (c correct) containing at least one correct sample, by enumeration. */
function bruteForce(n: number, c: number, k: number): number {
  let hit = 0;
  let total = 0;
  for (let mask = 0; mask < 1 << n; mask++) {
    let bits = 0;
    for (let m = mask; m; m &= m - 1) bits++;
    if (bits !== k) continue;
    total++;
    if (mask & ((1 << c) - 1)) hit++; // samples 0..c-1 are the correct ones
  }
  return hit / total;
}

function binom(n: number, k: number): bigint {
  let r = 1n;
  for (let i = 1; i <= k; i++) r = (r * BigInt(n - k + i)) / BigInt(i);
  return r;
}
/** Exact 1 − C(n−c,k)/C(n,k) with big integers, to ~1e-30. */
function exact(n: number, c: number, k: number): number {
  if (n - c < k) return 1;
  const scale = 10n ** 30n;
  return 1 - Number((binom(n - c, k) * scale) / binom(n, k)) / 1e30;
}

describe('passAtK', () => {
  it('matches brute-force enumeration over all k-subsets (n ≤ 10, all c, all k)', () => {
    for (let n = 1; n <= 10; n++) {
      for (let c = 0; c <= n; c++) {
        for (let k = 1; k <= n; k++) {
          expect(passAtK(n, c, k)).toBeCloseTo(bruteForce(n, c, k), 12);
        }
      }
    }
  });

  it('is exact at the edges', () => {
    for (const n of [1, 2, 5, 32, 1000]) {
      for (let k = 1; k <= Math.min(n, 40); k++) {
        expect(passAtK(n, 0, k)).toBe(0);
        expect(passAtK(n, n, k)).toBe(1);
      }
    }
    expect(passAtK(10, 7, 4)).toBe(1); // n − c = 3 < k
    expect(passAtK(10, 3, 1)).toBeCloseTo(0.3, 15); // pass@1 = c/n
    expect(passAtK(32, 5, 32)).toBe(1);
  });

  it('is stable for large n (n = 1000)', () => {
    const n = 1000;
    for (const c of [1, 2, 10, 100, 500, 990, 999]) {
      let prev = -1;
      for (const k of [1, 2, 4, 8, 16, 32, 64, 128, 500, 1000]) {
        const v = passAtK(n, c, k);
        expect(Number.isFinite(v)).toBe(true);
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
        expect(v).toBeGreaterThanOrEqual(prev); // monotone in k
        prev = v;
        expect(Math.abs(v - exact(n, c, k))).toBeLessThan(1e-12);
      }
      expect(passAtK(n, c, 1)).toBeCloseTo(c / n, 14);
    }
    // tiny probabilities keep their precision (no 1 − (1 − ε) cancellation in the product's factors)
    expect(passAtK(1000, 1, 1)).toBeCloseTo(0.001, 15);
  });

  it('validates inputs with clear errors', () => {
    expect(() => passAtK(10, 11, 1)).toThrow(/c must be in \[0, n\]/);
    expect(() => passAtK(10, -1, 1)).toThrow(/c must be/);
    expect(() => passAtK(10, 3, 0)).toThrow(/k must be in \[1, n\]/);
    expect(() => passAtK(10, 3, 11)).toThrow(/need at least k samples/);
    expect(() => passAtK(0, 0, 1)).toThrow(/n must be ≥ 1/);
    expect(() => passAtK(10.5, 3, 1)).toThrow(/n must be an integer/);
    expect(() => passAtK(10, NaN, 1)).toThrow(/c must be an integer/);
    expect(() => passAtK(10, 3, 1.5)).toThrow(/k must be an integer/);
  });
});

describe('meanPassAtK', () => {
  it('averages over problems for each k', () => {
    const results = [
      { n: 4, c: 0 },
      { n: 4, c: 1 },
      { n: 4, c: 4 },
    ];
    const m = meanPassAtK(results, [1, 2, 4]);
    expect(m[1]).toBeCloseTo((0 + 0.25 + 1) / 3, 14);
    expect(m[2]).toBeCloseTo((0 + 0.5 + 1) / 3, 14);
    expect(m[4]).toBeCloseTo(2 / 3, 14);
    expect(Object.keys(m)).toEqual(['1', '2', '4']);
  });

  it('k > n throws by default, or is omitted on request', () => {
    const results = [
      { n: 32, c: 3 },
      { n: 8, c: 1 },
    ];
    expect(() => meanPassAtK(results, PAPER_KS)).toThrow(/k = 16 exceeds the 8 samples of result 1/);
    const d = meanPassAtKDetailed(results, PAPER_KS, { onTooFewSamples: 'omit' });
    expect(Object.keys(d.values).map(Number)).toEqual([1, 2, 4, 8]);
    expect(d.omitted).toEqual([16, 32]);
    expect(() => meanPassAtK([], [1])).toThrow(/no results/);
    expect(() => meanPassAtK([{ n: 4, c: 5 }], [1])).toThrow(/result 0: .*c must be/);
  });

  it('passAtKFromCorrect', () => {
    expect(passAtKFromCorrect([true, false, false, false], 2)).toBeCloseTo(0.5, 14);
  });
});

describe('maj@k', () => {
  const right = (a: string) => a === '7';
  it('majority vote over disjoint groups of k, ties split, null answers do not vote', () => {
    expect(majorityAtK(['7', '7', '3'], right, 3)).toBe(1);
    expect(majorityAtK(['3', '3', '7'], right, 3)).toBe(0);
    expect(majorityAtK(['7', '3'], right, 2)).toBe(0.5); // a tie between a right and a wrong answer
    expect(majorityAtK([null, null, '7'], right, 3)).toBe(1); // only answers vote
    expect(majorityAtK([null, null], right, 2)).toBe(0);
    // Two groups of 2 from 5 samples (the fifth is left out): {7,7} → 1, {3,null} → 0.
    expect(majorityAtK(['7', '7', '3', null, '7'], right, 2)).toBe(0.5);
    // maj@1 is the mean accuracy of the samples.
    expect(majorityAtK(['7', '3', '7', '3'], right, 1)).toBe(0.5);
    expect(() => majorityAtK(['7'], right, 2)).toThrow(/k must be in \[1, n\]/);
  });
});
