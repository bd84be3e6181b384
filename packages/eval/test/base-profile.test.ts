import { describe, expect, it } from 'vitest';
import { baseProfile, baseProfileMarkdown } from '../src/base-profile';
import { summary } from './fixtures';

const profileOf = (hardGreedy: number, softGreedy: number, fuzzyGreedy: number, fuzzySample: number) =>
  baseProfile([summary('hard greedy', true, hardGreedy, {}), summary('soft greedy', true, softGreedy, {}), summary('fuzzy greedy', true, fuzzyGreedy, {}), summary('fuzzy sample', false, fuzzySample, {})]);

describe('base profile (method.md §8)', () => {
  it('the paper\'s Llama-3.2-3B profile is fit; ratios are soft/hard greedy and fuzzy sample/greedy', () => {
    const p = profileOf(0.714, 0.684, 0.705, 0.693);
    expect(p.softOverHard).toBeCloseTo(0.684 / 0.714, 10);
    expect(p.fuzzySampleOverGreedy).toBeCloseTo(0.693 / 0.705, 10);
    expect(p.fit).toBe(true);
    expect(p.verdict).toMatch(/^fit/);
    expect(baseProfileMarkdown(p)).toContain('| 71.4 | 68.4 | 70.5 | 69.3 | 0.96 | 0.98 |');
  });

  it('the demo\'s hard-only base (soft greedy 10 % against hard 47.5 %) is not fit, and each failing ratio is named', () => {
    const p = profileOf(0.475, 0.1, 0.475, 0.3);
    expect(p.fit).toBe(false);
    expect(p.verdict).toContain('soft/hard greedy 0.21 < 0.9');
    expect(p.verdict).toContain('fuzzy sample/greedy 0.63 < 0.9');
    expect(profileOf(0.5, 0.46, 0.5, 0.5).fit).toBe(true); // 0.92 and 1.0
    expect(profileOf(0.5, 0.44, 0.5, 0.5).fit).toBe(false); // 0.88
    expect(profileOf(0, 0, 0, 0).fit).toBe(false); // NaN ratios are not fit
  });

  it('needs the four settings', () => {
    expect(() => baseProfile([summary('hard greedy', true, 0.5, {})])).toThrow(/no soft greedy/);
  });
});
