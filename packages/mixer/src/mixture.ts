// The pieces CoT modes share: σ, the mixture p·E (with Soft Thinking's optional top-k/top-p/min-p restriction), the
// Gaussian log-density, weighted sums of embedding rows, entropies and partition functions on host data.
import * as tf from '@tensorflow/tfjs';
import { matMul } from '@softcot/model';

/** Soft Thinking-style restriction of the mixture to the most likely tokens (off by default: full vocabulary). */
export interface MixtureFilter {
  /** Keep only the k most likely tokens. */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches topP. */
  topP?: number;
  /** Drop tokens whose probability is below minP times the top token's. */
  minP?: number;
}

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

/**
 * Σ_j w_j·E[ids_j] for each of N rows with `width` (id, weight) pairs: [N × d], on the host in float64 from a
 * device gather of the rows of E it needs. Slots with id −1 are empty. Row-independent, so the rollout's fed input
 * and the training pass's rebuilt input are bit-identical whatever the batch.
 */
export function weightedEmbeddingSum(embeddings: tf.Tensor2D, ids: Int32Array, weights: ArrayLike<number>, width: number): Float32Array {
  const d = embeddings.shape[1];
  const n = width === 0 ? 0 : ids.length / width;
  const out = new Float32Array(n * d);
  if (n === 0) return out;
  const rowsOfE = tf.tidy(() => tf.gather(embeddings, tf.tensor1d(Int32Array.from(ids, (id) => Math.max(id, 0)), 'int32')).dataSync() as Float32Array);
  const acc = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    acc.fill(0);
    for (let j = 0; j < width; j++) {
      const slot = r * width + j;
      if (ids[slot]! < 0) continue;
      const w = weights[slot]!;
      for (let k = 0; k < d; k++) acc[k] += w * rowsOfE[slot * d + k]!;
    }
    for (let k = 0; k < d; k++) out[r * d + k] = acc[k]!;
  }
  return out;
}

/** The k largest entries of values[offset, offset + n), as indices relative to offset, largest first. O(n·k). */
export function topKIndices(values: Float32Array, offset: number, n: number, k: number): number[] {
  const top: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = values[offset + i]!;
    if (top.length === k && v <= values[offset + top[k - 1]!]!) continue;
    let at = top.length < k ? top.length : k - 1;
    while (at > 0 && values[offset + top[at - 1]!]! < v) at--;
    top.splice(at, 0, i);
    if (top.length > k) top.pop();
  }
  return top;
}

/** log Σ_v exp(logits[row, v] / τ), in float64 on host data. */
export function logPartition(logits: Float32Array, vocab: number, row: number, temperature: number): number {
  const off = row * vocab;
  let max = -Infinity;
  for (let v = 0; v < vocab; v++) max = Math.max(max, logits[off + v]!);
  let z = 0;
  for (let v = 0; v < vocab; v++) z += Math.exp((logits[off + v]! - max) / temperature);
  return Math.log(z) + max / temperature;
}
