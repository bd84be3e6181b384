// soft and fuzzy: the next input is h̃ = p·E + σ·ε, p = softmax(logits / τ) (optionally top-k/top-p/min-p restricted),
// ε ~ N(0, I_d); σ = 0 when greedy. The text reads the shadow token argmax(logits). The step's log-density is
//   log N(h̃; p·E, σ²I) = −‖h̃ − p·E‖² / (2σ²)   (up to a constant),
// with p·E recomputed on the tape, so the gradient reaches the parameters through p, the LM head and E.
// Record: the noisy input h̃ (d values), which is also what the training pass feeds.
import * as tf from '@tensorflow/tfjs';
import { argmax } from '@softcot/model';
import type { GaussianPolicy } from '../settings';
import { gaussianLogDensity, mixEmbeddings, mixtureProbs } from '../mixture';
import type { CotMixer } from '../step';

export const gaussianMixer: CotMixer<GaussianPolicy> = {
  widths: (_policy, hidden) => ({ ids: 0, values: hidden }),

  act(policy, logits, rows, embeddings, rng) {
    const d = embeddings.shape[1];
    const V = logits.vocab;
    const mixture = tf.tidy(() => {
      const own = rows.length === logits.tensor.shape[0] && rows.every((r, i) => r === i) ? logits.tensor : tf.gather(logits.tensor, tf.tensor1d(Array.from(rows), 'int32'));
      return mixEmbeddings(mixtureProbs(own as tf.Tensor2D, policy.temperature, policy.filter ?? undefined), embeddings).dataSync() as Float32Array;
    });
    const sigma = policy.greedy ? 0 : policy.sigma;
    const inputs = new Float32Array(rows.length * d);
    const tokens = rows.map((r, j) => {
      for (let k = 0; k < d; k++) inputs[j * d + k] = mixture[j * d + k]! + (sigma > 0 ? sigma * rng.normal() : 0);
      return argmax(logits.host.subarray(r * V, (r + 1) * V));
    });
    return { tokens, inputIds: null, inputEmbeds: inputs, record: { steps: rows.length, ids: new Int32Array(0), values: inputs } };
  },

  inputs: (_policy, record) => record.values,

  logProb(policy, logits, embeddings, record) {
    if (!(policy.sigma > 0)) throw new Error(`${policy.mode} log-density: σ must be > 0 (a greedy policy is not trained), got ${policy.sigma}`);
    return tf.tidy(() => {
      const d = embeddings.shape[1];
      const mean = mixEmbeddings(mixtureProbs(logits, policy.temperature, policy.filter ?? undefined), embeddings);
      return gaussianLogDensity(tf.tensor2d(record.values, [record.steps, d]), mean, policy.sigma);
    });
  },
};
