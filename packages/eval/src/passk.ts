/**
 * pass@k with the unbiased estimator of Chen et al. (2021): from n samples of which c are correct,
 *   pass@k = 1 − C(n−c, k) / C(n, k),
 * computed as the numerically stable product 1 − Π_{i=n−c+1}^{n} (1 − k/i) (no large binomials).
 */

function checkCount(name: string, v: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new RangeError(`pass@k: ${name} must be an integer, got ${String(v)}`);
}

/**
 * Unbiased pass@k from n samples with c correct. Requires integers with 0 ≤ c ≤ n and 1 ≤ k ≤ n.
 * Exact at the edges: c = 0 → 0; n − c < k (including c = n) → 1.
 */
export function passAtK(n: number, c: number, k: number): number {
  checkCount('n', n);
  checkCount('c', c);
  checkCount('k', k);
  if (n < 1) throw new RangeError(`pass@k: n must be ≥ 1, got ${n}`);
  if (c < 0 || c > n) throw new RangeError(`pass@k: c must be in [0, n] = [0, ${n}], got ${c}`);
  if (k < 1 || k > n) throw new RangeError(`pass@k: k must be in [1, n] = [1, ${n}], got ${k} (need at least k samples)`);
  if (c === 0) return 0;
  if (n - c < k) return 1;
  let prod = 1;
  for (let i = n - c + 1; i <= n; i++) prod *= 1 - k / i;
  return 1 - prod;
}

/** Per-problem sample counts: n samples, c of them correct. */
export interface PassCounts {
  n: number;
  c: number;
}

export interface MeanPassAtKOptions {
  /**
   * What to do with a k larger than some problem's n:
   * - 'throw' (default): a RangeError naming the problem and k;
   * - 'omit': that k is left out of the result (listed in `omitted` of `meanPassAtKDetailed`).
   */
  onTooFewSamples?: 'throw' | 'omit';
}

/**
 * Mean pass@k over problems, for each k in `ks`: `{ [k]: mean }`. By default a k larger than some problem's
 * sample count n throws (a mean over a subset of problems would not be comparable); pass
 * `{ onTooFewSamples: 'omit' }` to leave such k out instead. An empty list of problems throws.
 */
export function meanPassAtK(results: readonly PassCounts[], ks: readonly number[], opts: MeanPassAtKOptions = {}): Record<number, number> {
  return meanPassAtKDetailed(results, ks, opts).values;
}

/** `meanPassAtK` plus the list of k that were omitted (only with `onTooFewSamples: 'omit'`). */
export function meanPassAtKDetailed(
  results: readonly PassCounts[],
  ks: readonly number[],
  opts: MeanPassAtKOptions = {},
): { values: Record<number, number>; omitted: number[] } {
  if (results.length === 0) throw new RangeError('meanPassAtK: no results');
  if (ks.length === 0) throw new RangeError('meanPassAtK: no k values');
  const mode = opts.onTooFewSamples ?? 'throw';
  const minN = Math.min(...results.map((r) => r.n));
  const values: Record<number, number> = {};
  const omitted: number[] = [];
  for (const k of ks) {
    checkCount('k', k);
    if (k < 1) throw new RangeError(`meanPassAtK: k must be ≥ 1, got ${k}`);
    if (k > minN) {
      if (mode === 'omit') {
        if (!omitted.includes(k)) omitted.push(k);
        continue;
      }
      const i = results.findIndex((r) => r.n < k);
      throw new RangeError(`meanPassAtK: k = ${k} exceeds the ${results[i]!.n} samples of result ${i}; sample more or pass { onTooFewSamples: 'omit' }`);
    }
    let sum = 0;
    results.forEach((r, i) => {
      try {
        sum += passAtK(r.n, r.c, k);
      } catch (e) {
        throw new RangeError(`meanPassAtK: result ${i}: ${(e as Error).message}`);
      }
    });
    values[k] = sum / results.length;
  }
  return { values, omitted };
}

/** pass@k of one problem from its per-sample correctness. */
export function passAtKFromCorrect(correct: readonly boolean[], k: number): number {
  return passAtK(
    correct.length,
    correct.filter(Boolean).length,
    k,
  );
}

/** The paper's k values: 1, 2, 4, 8, 16, 32. */
export const PAPER_KS: readonly number[] = [1, 2, 4, 8, 16, 32];

/**
 * maj@k of one problem: the accuracy of a majority vote over k samples, averaged over the ⌊n/k⌋ disjoint groups of k
 * consecutive samples. In a group, the answers that occur most often win; a tie between answers is broken uniformly
 * at random in expectation (a tied correct answer counts 1/(number tied)). Samples with no answer (null) do not vote;
 * a group with no answer at all scores 0. Answers are compared as strings (graders' extracted answers), and
 * `correct(answer)` says whether an answer is right.
 */
export function majorityAtK(answers: readonly (string | null)[], correct: (answer: string) => boolean, k: number): number {
  checkCount('k', k);
  if (k < 1 || k > answers.length) throw new RangeError(`maj@k: k must be in [1, n] = [1, ${answers.length}], got ${k}`);
  const groups = Math.floor(answers.length / k);
  let total = 0;
  for (let g = 0; g < groups; g++) {
    const votes = new Map<string, number>();
    for (const a of answers.slice(g * k, (g + 1) * k)) if (a !== null) votes.set(a, (votes.get(a) ?? 0) + 1);
    if (votes.size === 0) continue;
    const top = Math.max(...votes.values());
    const winners = [...votes].filter(([, v]) => v === top).map(([a]) => a);
    total += winners.filter(correct).length / winners.length;
  }
  return total / groups;
}
