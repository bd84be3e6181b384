import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { CharTokenizer, initModel, makeConfigJson, parseModelConfig, type ForwardInput } from '@softcot/model';
import { COT_MODES, resolveCot } from '@softcot/mixer';
import { paperPrompt } from '@softcot/data';
import { rollout } from '@softcot/rollout';

tf.setBackend('cpu');

describe('shared-prefix rollouts', () => {
  const tok = new CharTokenizer('0123456789+-*= :.{}\\ATUabdefhilnorstwx');
  const format = paperPrompt({ instruction: '' });
  const model = initModel(parseModelConfig(makeConfigJson('llama', { vocabSize: tok.vocabSize, hiddenSize: 16, intermediateSize: 32, numLayers: 2, numHeads: 4, numKvHeads: 2 })), 3);
  for (const [name, v] of model.params) if (!name.includes('norm')) v.assign(tf.mul(v, 15));
  // Two problems of different lengths, G = 3 samples each (as the trainer lays them out), plus a lone prompt.
  const prompts = ['12+3', '12+3', '12+3', '4*56+7', '4*56+7', '4*56+7', '9'];

  /** Rollout that records the batch size of the prefill call. */
  const run = (mode: (typeof COT_MODES)[number], sharePrefix: boolean) => {
    const forward = model.forward.bind(model);
    const prefillRows: number[] = [];
    model.forward = (input: ForwardInput) => {
      if ((input.cache?.length ?? 0) === 0) prefillRows.push((input.inputIds ?? input.inputEmbeds!).shape[0]);
      return forward(input);
    };
    try {
      const cot = resolveCot({ mode }, { embeddings: model.embeddingMatrix });
      const out = rollout(model, tok, prompts, { cot, format, maxCotTokens: 6, maxAnswerTokens: 4, answer: { greedy: false }, sharePrefix, seed: 7 });
      return { out, prefillRows };
    } finally {
      model.forward = forward;
    }
  };

  it.each(COT_MODES)('%s: identical trajectories, CoT records and entropies to the unshared path, with one prefill row per prompt', (mode) => {
    const shared = run(mode, true);
    const unshared = run(mode, false);
    expect(shared.prefillRows).toEqual([3]);
    expect(unshared.prefillRows).toEqual([prompts.length]);
    const view = (t: (typeof shared.out)[number]) => ({ ...t, cot: { steps: t.cot.steps, ids: Array.from(t.cot.ids), values: Array.from(t.cot.values) } });
    expect(shared.out.map(view)).toEqual(unshared.out.map(view));
    // The samples of one prompt do differ (the comparison is not between copies of one trajectory).
    expect(new Set(shared.out.slice(0, 3).map((t) => t.entropies.join(','))).size).toBeGreaterThan(1);
  });
});
