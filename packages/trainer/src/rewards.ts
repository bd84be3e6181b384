// Rewards in training (method.md §4): user reward functions (verifiers) and likelihood rewards, which score
// the reference answer a* after the sampled CoT instead of sampling an answer.
//   logprob     R = log π(a* | p, z) = Σ_t lp_t
//   avglogprob  R = logprob / |a*|
//   prob        R = π(a* | p, z)                    (VeriFree)
//   avgprob     R = mean_t π(a*_t | …)              (RLPR)
//   jepo        R = log mean_j π(a* | p, z_j) over the group; advantage uses the leave-one-out version
// The loss adds a differentiable R term, −[(R − c)·log π(z) + R]: like SFT on a* given z.
import * as tf from '@tensorflow/tfjs';
import { matMul } from '@softcot/model';

export type LikelihoodReward = 'logprob' | 'avglogprob' | 'prob' | 'avgprob' | 'jepo';
export const LIKELIHOOD_REWARDS: readonly LikelihoodReward[] = ['logprob', 'avglogprob', 'prob', 'avgprob', 'jepo'];

export function isLikelihoodReward(x: unknown): x is LikelihoodReward {
  return typeof x === 'string' && (LIKELIHOOD_REWARDS as readonly string[]).includes(x);
}

/** R per row from the target tokens' log-probabilities (host values), for rewards and advantages. */
export function likelihoodValue(kind: Exclude<LikelihoodReward, 'jepo'>, tokenLogProbs: number[]): number {
  const n = tokenLogProbs.length;
  if (n === 0) return NaN;
  const sum = tokenLogProbs.reduce((a, b) => a + b, 0);
  switch (kind) {
    case 'logprob':
      return sum;
    case 'avglogprob':
      return sum / n;
    case 'prob':
      return Math.exp(sum);
    case 'avgprob':
      return tokenLogProbs.reduce((a, lp) => a + Math.exp(lp), 0) / n;
  }
}

export function logMeanExp(xs: number[]): number {
  const m = Math.max(...xs);
  if (!Number.isFinite(m)) return m;
  return m + Math.log(xs.reduce((a, x) => a + Math.exp(x - m), 0) / xs.length);
}

/**
 * JEPO per group: the group reward log mean_j exp(L_j) for every member, and leave-one-out advantages
 * A_i = R − log mean_{j≠i} exp(L_j). Also the constant weights w_i = G·softmax(L)_i, so that
 * Σ_i w_i·∇L_i = ∇(G·R): the differentiable term splits over rows, and so over micro-batches.
 */
export function jepoGroup(L: number[]): { reward: number; advantages: number[]; weights: number[] } {
  const G = L.length;
  const reward = logMeanExp(L);
  const advantages = L.map((_, i) => (G < 2 ? 0 : reward - logMeanExp(L.filter((__, j) => j !== i))));
  const m = Math.max(...L);
  const e = L.map((x) => Math.exp(x - m));
  const z = e.reduce((a, b) => a + b, 0);
  return { reward, advantages, weights: e.map((x) => (G * x) / z) };
}

/**
 * The differentiable R term for rows of one micro-batch, from per-token target log-probs on the tape.
 * `weights` (JEPO only) multiply each row's summed log-prob. Returns Σ_rows R_row.
 */
export function likelihoodTerm(
  kind: LikelihoodReward,
  tokenLogProbs: tf.Tensor1D,
  rowOf: Int32Array,
  numRows: number,
  weights?: number[],
): tf.Scalar {
  return tf.tidy(() => {
    const counts = new Float32Array(numRows);
    rowOf.forEach((r) => counts[r]!++);
    const assign = new Float32Array(numRows * rowOf.length);
    rowOf.forEach((r, n) => (assign[r * rowOf.length + n] = 1));
    const A = tf.tensor2d(assign, [numRows, rowOf.length]);
    const perRow = (x: tf.Tensor1D) => matMul(A, x.reshape([rowOf.length, 1])).reshape([numRows]);
    const safeCounts = tf.tensor1d(Array.from(counts, (c) => Math.max(c, 1)));
    switch (kind) {
      case 'logprob':
        return tf.sum(perRow(tokenLogProbs));
      case 'avglogprob':
        return tf.sum(tf.div(perRow(tokenLogProbs), safeCounts));
      case 'prob':
        return tf.sum(tf.exp(perRow(tokenLogProbs)));
      case 'avgprob':
        return tf.sum(tf.div(perRow(tf.exp(tokenLogProbs)), safeCounts));
      case 'jepo':
        if (!weights) throw new Error('likelihoodTerm: jepo needs weights');
        return tf.sum(tf.mul(perRow(tokenLogProbs), tf.tensor1d(weights)));
    }
  });
}

