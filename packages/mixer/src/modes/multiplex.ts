// multiplex (Multiplex Thinking, arXiv 2601.08808; method.md §7). At each CoT step, with p = softmax(logits / T), T = 1:
//   k_1..k_K ~ p i.i.d. (K = 3; greedy: K copies of the argmax, which is hard greedy)
//   next input Σ_j w_j·E[k_j],  w_j = p(k_j) / Σ_l p(k_l) ('prob', default) or 1/K ('uniform')
// When p is peaked the draws coincide and the input is an ordinary token embedding. The step's log-probability is
// exact: Σ_j log p(k_j). The text reads the shadow token argmax p, as for soft and fuzzy.
// Record: the K draws and their log-probabilities at rollout (the weights are rebuilt from them, so the training
// pass feeds bit-identical inputs).
import type * as tf from '@tensorflow/tfjs';
import { argmax, tokenLogProbs } from '@softcot/model';
import type { MultiplexPolicy } from '../settings';
import { logPartition, weightedEmbeddingSum } from '../mixture';
import { sampleFromLogits } from '../token-sampling';
import type { CotMixer, CotRecord } from '../step';

function inputsOf(policy: MultiplexPolicy, record: CotRecord, embeddings: tf.Tensor2D): Float32Array {
  const K = policy.samples;
  const weights = new Float64Array(record.ids.length);
  for (let s = 0; s < record.steps; s++) {
    let z = 0;
    for (let j = 0; j < K; j++) z += weights[s * K + j] = policy.weights === 'uniform' ? 1 : Math.exp(record.values[s * K + j]!);
    for (let j = 0; j < K; j++) weights[s * K + j]! /= z;
  }
  return weightedEmbeddingSum(embeddings, record.ids, weights, K);
}

export const multiplexMixer: CotMixer<MultiplexPolicy> = {
  widths: (policy) => ({ ids: policy.samples, values: policy.samples }),

  act(policy, logits, rows, embeddings, rng) {
    const K = policy.samples;
    const V = logits.vocab;
    const ids = new Int32Array(rows.length * K);
    const logProbs = new Float32Array(rows.length * K);
    const tokens = rows.map((r, j) => {
      const logZ = logPartition(logits.host, V, r, policy.temperature);
      for (let i = 0; i < K; i++) {
        const k = sampleFromLogits(logits.host, V, r, policy.greedy ? 0 : policy.temperature, rng);
        ids[j * K + i] = k;
        logProbs[j * K + i] = logits.host[r * V + k]! / policy.temperature - logZ;
      }
      return argmax(logits.host.subarray(r * V, (r + 1) * V));
    });
    const record = { steps: rows.length, ids, values: logProbs };
    return { tokens, inputIds: null, inputEmbeds: inputsOf(policy, record, embeddings), record };
  },

  inputs: (policy, record, embeddings) => inputsOf(policy, record, embeddings),

  logProb(policy, logits, _embeddings, record) {
    const K = policy.samples;
    return tokenLogProbs(logits, record.ids, policy.temperature, K).reshape([record.steps, K]).sum(1) as tf.Tensor1D;
  },
};
