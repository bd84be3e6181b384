// gumbel (SofT-GRPO, arXiv 2511.06411; method.md §7). At each CoT step, with p = softmax(logits / T), T = 1:
//   K   = the top-k ids of p (k = 5), then the shortest prefix whose renormalised mass reaches top-p (0.95)
//         (top-p on the top-k distribution, as vLLM's sampler applies them); p̃ = p renormalised over K
//   ε_i ~ Gumbel(0, 1), clamped to [lo, hi] ([−1.5, 3] in the authors' code); ε = 0 when greedy
//   g′_i = log p̃_i + ε_i,   y′ = softmax(g′ / τ_g) (τ_g = 0.1),   next input Σ_i y′_i·E[i]
// The shadow token argmax g′ is an exact sample from p̃ (the Gumbel-max trick). No additive noise: the input stays in
// the hull of real token embeddings.
// Scoring, with the input rebuilt from the stored (ids, g′) as a constant: lp_i = log p̃_i(θ) renormalised over the
// stored ids, x_i = g′_i − lp_i (the noise, recovered), and the step's log-density under the Gumbel density
// f(x) = −x − e^(−x):
//   sum           Σ_{i∈K} f(x_i)                                      (the paper)
//   mean-clamped  mean over i ∈ K with p̃_i > e^(−3) of f(clamp(x_i))    (the authors' code)
// Record: k ids (−1 = empty slot) and k values g′.
import * as tf from '@tensorflow/tfjs';
import { tokenLogProbs } from '@softcot/model';
import type { GumbelPolicy } from '../settings';
import { logPartition, topKIndices, weightedEmbeddingSum } from '../mixture';
import type { Rng } from '@softcot/base';
import type { CotMixer, CotRecord } from '../step';

/** A standard Gumbel draw −log(−log u), u ~ U(0, 1). */
export function gumbelNoise(rng: Rng): number {
  let u = 0;
  while (u === 0) u = rng.uniform();
  return -Math.log(-Math.log(u));
}

/** The kept ids of one row and their log p̃ (renormalised over the kept ids), most likely first. */
export function gumbelSupport(policy: GumbelPolicy, host: Float32Array, vocab: number, row: number): { ids: number[]; logProbs: number[] } {
  const logZ = logPartition(host, vocab, row, policy.temperature);
  const top = topKIndices(host, row * vocab, vocab, Math.min(policy.topK, vocab));
  const lp = top.map((v) => host[row * vocab + v]! / policy.temperature - logZ);
  // top-p over the top-k distribution: keep ids while the renormalised mass before them is below topP.
  const topMass = Math.log(lp.reduce((a, x) => a + Math.exp(x), 0));
  let kept = 0;
  let mass = 0;
  while (kept < top.length && (kept === 0 || mass < policy.topP)) mass += Math.exp(lp[kept++]! - topMass);
  const logKept = Math.log(lp.slice(0, kept).reduce((a, x) => a + Math.exp(x), 0));
  return { ids: top.slice(0, kept), logProbs: lp.slice(0, kept).map((x) => x - logKept) };
}

/** y′ = softmax(g′ / τ_g) over the filled slots of one row (float64). */
function mixWeights(policy: GumbelPolicy, ids: Int32Array, perturbed: Float32Array, at: number, width: number, out: Float64Array): void {
  let max = -Infinity;
  for (let j = 0; j < width; j++) if (ids[at + j]! >= 0) max = Math.max(max, perturbed[at + j]! / policy.tau);
  let z = 0;
  for (let j = 0; j < width; j++) {
    out[at + j] = ids[at + j]! >= 0 ? Math.exp(perturbed[at + j]! / policy.tau - max) : 0;
    z += out[at + j]!;
  }
  for (let j = 0; j < width; j++) out[at + j]! /= z;
}

function inputsOf(policy: GumbelPolicy, record: CotRecord, embeddings: tf.Tensor2D): Float32Array {
  const width = policy.topK;
  const weights = new Float64Array(record.ids.length);
  for (let s = 0; s < record.steps; s++) mixWeights(policy, record.ids, record.values, s * width, width, weights);
  return weightedEmbeddingSum(embeddings, record.ids, weights, width);
}

export const gumbelMixer: CotMixer<GumbelPolicy> = {
  widths: (policy) => ({ ids: policy.topK, values: policy.topK }),

  act(policy, logits, rows, embeddings, rng) {
    const width = policy.topK;
    const ids = new Int32Array(rows.length * width).fill(-1);
    const perturbed = new Float32Array(rows.length * width);
    const tokens = rows.map((r, j) => {
      const support = gumbelSupport(policy, logits.host, logits.vocab, r);
      let best = 0;
      support.ids.forEach((id, i) => {
        let eps = policy.greedy ? 0 : gumbelNoise(rng);
        if (policy.clamp) eps = Math.min(policy.clamp[1], Math.max(policy.clamp[0], eps));
        ids[j * width + i] = id;
        perturbed[j * width + i] = support.logProbs[i]! + eps;
        if (perturbed[j * width + i]! > perturbed[j * width + best]!) best = i;
      });
      return support.ids[best]!;
    });
    const record = { steps: rows.length, ids, values: perturbed };
    return { tokens, inputIds: null, inputEmbeds: inputsOf(policy, record, embeddings), record };
  },

  inputs: (policy, record, embeddings) => inputsOf(policy, record, embeddings),

  logProb(policy, logits, _embeddings, record) {
    return tf.tidy(() => {
      const n = record.steps;
      const width = policy.topK;
      const filled = Float32Array.from(record.ids, (id) => (id >= 0 ? 1 : 0));
      const mask = tf.tensor2d(filled, [n, width]);
      const raw = tokenLogProbs(logits, Int32Array.from(record.ids, (id) => Math.max(id, 0)), policy.temperature, width).reshape([n, width]);
      // log p̃ renormalised over the stored ids; empty slots take no part (a large negative stand-in, weight 0).
      const masked = tf.where(tf.cast(mask, 'bool'), raw, tf.fill([n, width], -1e30));
      const lp = tf.sub(raw, tf.logSumExp(masked, 1, true));
      const noise = tf.sub(tf.tensor2d(record.values, [n, width]), lp);
      if (policy.score === 'sum') return tf.sum(tf.mul(gumbelLogDensity(noise), mask), 1) as tf.Tensor1D;
      const clamped = policy.clamp ? tf.clipByValue(noise, policy.clamp[0], policy.clamp[1]) : noise;
      // The id set of the mean is a choice made from the values (no gradient through it): p̃ > e^(−3).
      const counted = tf.mul(mask, tf.step(tf.add(lp, 3))); // step, not greater: its gradient is zero, greater has none
      return tf.div(tf.sum(tf.mul(gumbelLogDensity(clamped), counted), 1), tf.maximum(tf.sum(counted, 1), 1)) as tf.Tensor1D;
    });
  },
};

/** The standard Gumbel log-density f(x) = −x − e^(−x). */
function gumbelLogDensity(x: tf.Tensor): tf.Tensor {
  return tf.sub(tf.neg(x), tf.exp(tf.neg(x)));
}
