// hard: the next input is the sampled token x ~ Categorical(softmax(logits / τ)) (argmax when greedy); the step's
// log-probability is log softmax(logits / τ)[x]. Record: the token (1 id, no values).
import type * as tf from '@tensorflow/tfjs';
import { tokenLogProbs } from '@softcot/model';
import type { HardPolicy } from '../settings';
import { sampleFromLogits } from '../token-sampling';
import type { CotMixer } from '../step';

export const hardMixer: CotMixer<HardPolicy> = {
  widths: () => ({ ids: 1, values: 0 }),

  act(policy, logits, rows, _embeddings, rng) {
    const tokens = rows.map((r) => sampleFromLogits(logits.host, logits.vocab, r, policy.greedy ? 0 : policy.temperature, rng));
    return { tokens, inputIds: tokens, inputEmbeds: null, record: { steps: rows.length, ids: Int32Array.from(tokens), values: new Float32Array(0) } };
  },

  inputs: () => null,

  logProb(policy, logits: tf.Tensor2D, _embeddings, record) {
    return tokenLogProbs(logits, record.ids, policy.temperature);
  },
};
