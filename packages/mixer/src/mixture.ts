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
    // The kept set is a choice, not a differentiable function: no gradient flows through the mask.
    const keep = filterMask(stopGradient(probs), filter);
    const kept = tf.mul(probs, keep);
    return tf.div(kept, tf.sum(kept, -1, true)) as tf.Tensor2D;
  });
}

/** 0/1 mask [N, V] of the tokens a restricted mixture keeps. Always keeps the argmax. */
export function filterMask(probs: tf.Tensor2D, filter: MixtureFilter): tf.Tensor2D {
  return tf.tidy(() => {
    const [n, vocab] = probs.shape;
    let keep: tf.Tensor = tf.onesLike(probs);
    const top = tf.max(probs, -1, true);
    if (filter.minP !== undefined) keep = tf.mul(keep, tf.cast(tf.greaterEqual(probs, tf.mul(top, filter.minP)), 'float32'));
    if (filter.topK !== undefined && filter.topK < vocab) {
      const kth = tf.topk(probs, filter.topK).values.slice([0, filter.topK - 1], [n, 1]);
      keep = tf.mul(keep, tf.cast(tf.greaterEqual(probs, kth), 'float32'));
    }
    if (filter.topP !== undefined && filter.topP < 1) {
      // Sort descending; a token is kept when the mass strictly before it is < topP.
      const sorted = tf.topk(probs, vocab).values;
      const before = tf.sub(tf.cumsum(sorted, 1), sorted);
      const inNucleus = tf.cast(tf.less(before, filter.topP), 'float32');
      // The smallest kept probability is the threshold.
      const threshold = tf.min(tf.add(tf.mul(sorted, inNucleus), tf.mul(tf.sub(1, inNucleus), 2)), -1, true);
      keep = tf.mul(keep, tf.cast(tf.greaterEqual(probs, threshold), 'float32'));
    }
    return tf.maximum(keep, tf.cast(tf.greaterEqual(probs, top), 'float32')) as tf.Tensor2D;
  });
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

/** Identity in the forward pass, zero gradient in the backward pass (tfjs has no stop_gradient op). */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return zeroGradIdentity(x) as T;
}

const zeroGradIdentity = tf.customGrad(((x: tf.Tensor) => ({
  value: x.clone(),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as Parameters<typeof tf.customGrad>[0]);
