// Shared fixtures for the RL-core tests: a tiny Llama-shaped model over a character vocabulary.
import * as tf from '@tensorflow/tfjs';
import { CharTokenizer, initModel, makeConfigJson, parseModelConfig, type CausalLM } from '@softcot/model';

export const ALPHABET = '0123456789+-*=. :{}\\abdefhilnorstwxATU';

export function tinyTokenizer(): CharTokenizer {
  return new CharTokenizer(ALPHABET);
}

export function tinyModel(vocabSize: number, seed = 1, sizes: { hidden?: number; layers?: number } = {}): CausalLM {
  const hidden = sizes.hidden ?? 16;
  const config = parseModelConfig(
    makeConfigJson('llama', {
      vocabSize,
      hiddenSize: hidden,
      intermediateSize: hidden * 2,
      numLayers: sizes.layers ?? 1,
      numHeads: 2,
      numKvHeads: 1,
      tieWordEmbeddings: true,
    }),
  );
  const model = initModel(config, seed);
  // Larger weights than HF's 0.02 init, so logits are far from uniform and the tests see real structure.
  for (const [name, v] of model.params) if (!name.includes('norm')) tf.tidy(() => v.assign(tf.mul(v, 20)));
  return model;
}
