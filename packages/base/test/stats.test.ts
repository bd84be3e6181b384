import { describe, expect, it } from 'vitest';
import { mean, meanStd, rise, std, welchT } from '../src/stats';

describe('statistics (one convention: the sample standard deviation)', () => {
  it('mean and the sample std (n − 1)', () => {
    expect(meanStd([1, 2, 3])).toEqual({ mean: 2, std: 1, n: 3 });
    expect(meanStd([5])).toEqual({ mean: 5, std: 0, n: 1 });
    expect(std([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(Number.isNaN(mean([]))).toBe(true);
  });

  it("Welch's t and the rise of a series between its first and last windows", () => {
    // first window 1, 3 (mean 2, variance 2); last window 5, 9 (mean 7, variance 8): t = 5 / sqrt(2/2 + 8/2)
    expect(welchT([1, 3], [5, 9])).toBeCloseTo(5 / Math.sqrt(5), 12);
    const r = rise([1, 3, 100, 5, 9], 2);
    expect([r.first, r.last]).toEqual([2, 7]);
    expect(r.t).toBeCloseTo(5 / Math.sqrt(5), 12);
    expect(rise([9, 5, 0, 3, 1], 2).t).toBeCloseTo(-5 / Math.sqrt(5), 12);
    expect(rise([4, 4, 4, 4], 2).t).toBe(0);
    expect(rise([4, 4, 5, 5], 2).t).toBe(Infinity);
    // Unequal sizes and variances: Welch's standard error, not the pooled one.
    expect(welchT([0, 2, 4], [10, 10.5])).toBeCloseTo((10.25 - 2) / Math.sqrt(4 / 3 + 0.125 / 2), 12);
    expect(() => rise([1, 2, 3], 2)).toThrow(/need two windows of 2 >= 2 values, got 3/);
    expect(() => welchT([1], [2, 3])).toThrow(/at least 2 values/);
  });
});
