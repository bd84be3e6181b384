// The differentiable pieces of soft/fuzzy tokens, in tfjs ops (used by rollout and by the training pass).
import * as tf from '@tensorflow/tfjs';
import { matMul } from '@softcot/model';
import type { MixtureFilter } from './modes';

/** RMS(E) = sqrt(mean(E²)) over every entry of the embedding matrix. Computed once, from the base model. */
export function embeddingRms(embeddings: tf.Tensor): number {
  return tf.tidy(() => Math.sqrt(tf.mean(tf.square(embeddings)).dataSync()[0]!));
}

/** σ = γ · RMS(E). */
export function noiseSigma(embeddings: tf.Tensor, gamma: number): number {
  return gamma * embeddingRms(embeddings);
}

/**
 * p = softmax(logits / τ) over the last axis, in fp32, optionally restricted to the top tokens and
 * renormalised. The restriction set is chosen from the probabilities without a gradient path through
 * the choice itself (it is a mask), as Soft Thinking does.
 */
export function mixtureProbs(logits: tf.Tensor2D, temperature: number, filter?: MixtureFilter): tf.Tensor2D {
  return tf.tidy(() => {
    const probs = tf.softmax(tf.div(tf.cast(logits, 'float32'), temperature)) as tf.Tensor2D;
    if (!filter || (filter.topK === undefined && filter.topP === undefined && filter.minP === undefined)) return probs;
    const keep = filterMask(probs, filter);
    const kept = tf.mul(probs, keep);
    return tf.div(kept, tf.sum(kept, -1, true)) as tf.Tensor2D;
  });
}

/**
 * 0/1 mask [N, V] of the tokens a restricted mixture keeps, computed on the host from the probabilities'
 * values: the kept set is a choice, not a differentiable function, so it must not be on the autograd tape.
 * Always keeps the argmax. (A host round trip, paid only when a filter is set.)
 */
export function filterMask(probs: tf.Tensor2D, filter: MixtureFilter): tf.Tensor2D {
  const [n, vocab] = probs.shape;
  const p = probs.dataSync() as Float32Array;
  const keep = new Float32Array(n * vocab);
  const order = new Int32Array(vocab);
  for (let r = 0; r < n; r++) {
    const row = p.subarray(r * vocab, (r + 1) * vocab);
    for (let v = 0; v < vocab; v++) order[v] = v;
    order.sort((a, b) => row[b]! - row[a]!);
    const top = row[order[0]!]!;
    let mass = 0;
    for (let rank = 0; rank < vocab; rank++) {
      const v = order[rank]!;
      const inTopK = filter.topK === undefined || rank < filter.topK;
      // top-p: a token is kept while the mass of the tokens before it is below topP
      const inNucleus = filter.topP === undefined || mass < filter.topP;
      const aboveMinP = filter.minP === undefined || row[v]! >= filter.minP * top;
      if (rank === 0 || (inTopK && inNucleus && aboveMinP)) keep[r * vocab + v] = 1;
      mass += row[v]!;
    }
  }
  return tf.tensor2d(keep, [n, vocab]);
}

/** The mixture embedding p·E: [N, V] x [V, d] -> [N, d]. Full-vocabulary by default. */
export function mixEmbeddings(probs: tf.Tensor2D, embeddings: tf.Tensor2D): tf.Tensor2D {
  return matMul<tf.Tensor2D>(probs, embeddings);
}

/**
 * Gaussian log-density of the recorded noisy input h̃ given the recomputed mixture μ = p·E, up to the
 * constant −d·log(σ√(2π)) (it does not depend on the parameters):
 *   log N(h̃; μ, σ²I) = −‖h̃ − μ‖² / (2σ²)
 * Its gradient with respect to μ is (h̃ − μ)/σ² = ε/σ. Computed in fp32. [N, d] -> [N].
 */
export function gaussianLogDensity(noisy: tf.Tensor2D, mean: tf.Tensor2D, sigma: number): tf.Tensor1D {
  if (!(sigma > 0)) throw new Error(`gaussianLogDensity: sigma must be > 0, got ${sigma}`);
  return tf.tidy(() => {
    const diff = tf.sub(tf.cast(noisy, 'float32'), tf.cast(mean, 'float32'));
    return tf.div(tf.sum(tf.square(diff), -1), -2 * sigma * sigma) as tf.Tensor1D;
  });
}

/** Entropy (nats) of softmax(logits) per row, on host data. */
export function entropyOfLogits(logits: Float32Array, vocab: number, row: number): number {
  const off = row * vocab;
  let max = -Infinity;
  for (let v = 0; v < vocab; v++) max = Math.max(max, logits[off + v]!);
  let z = 0;
  for (let v = 0; v < vocab; v++) z += Math.exp(logits[off + v]! - max);
  const logZ = Math.log(z) + max;
  let h = 0;
  for (let v = 0; v < vocab; v++) {
    const lp = logits[off + v]! - logZ;
    h -= Math.exp(lp) * lp;
  }
  return h;
}
