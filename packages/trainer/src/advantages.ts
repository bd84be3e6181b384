// Advantages within each prompt's group of G samples (method.md §3). A null reward ("not applicable")
// is left out of the baseline and gets advantage 0.
//   rloo       A_g = r_g − mean(r_j, j ≠ g)              (default; no std division)
//   grpo       A_g = (r_g − mean(r)) / (std(r) + eps)   (std: the sample std, as torch's default and TRL use)
//   reinforce  A_g = r_g − b,  b = mean over the batch ('mean') or 0 ('none')

import { mean, std } from '@softcot/base';

export type Algorithm = 'rloo' | 'grpo' | 'reinforce';
export const ALGORITHMS: readonly Algorithm[] = ['rloo', 'grpo', 'reinforce'];

export interface AdvantageOptions {
  algorithm: Algorithm;
  /** REINFORCE baseline. */
  baseline?: 'mean' | 'none';
  /** GRPO std floor. */
  eps?: number;
}

/** rewards: one array per group. Returns advantages in the same shape. */
export function computeAdvantages(groups: (number | null)[][], opts: AdvantageOptions): number[][] {
  if (opts.algorithm === 'reinforce') {
    const all = groups.flat().filter((r): r is number => r !== null);
    const b = opts.baseline === 'mean' && all.length > 0 ? mean(all) : 0;
    return groups.map((g) => g.map((r) => (r === null ? 0 : r - b)));
  }
  return groups.map((group) => {
    const valid = group.filter((r): r is number => r !== null);
    const n = valid.length;
    const sum = valid.reduce((a, b) => a + b, 0);
    if (opts.algorithm === 'rloo')
      return group.map((r) => (r === null || n < 2 ? 0 : r - (sum - r) / (n - 1)));
    if (opts.algorithm === 'grpo') {
      const m = mean(valid);
      const s = std(valid);
      return group.map((r) => (r === null || n < 2 ? 0 : (r - m) / (s + (opts.eps ?? 1e-4))));
    }
    throw new Error(`unknown algorithm "${String(opts.algorithm)}" (choose ${ALGORITHMS.join(', ')})`);
  });
}
