// Every kernel that our own code dispatches (model forward/backward, rollouts in every mode with and
// without restricted mixtures, the RLOO loss with PPO/KL and likelihood rewards, AdamW, SFT) must have a
// native implementation (the same kernels serve native-cpu and cuda). The list is recorded on the cpu backend, so it follows the code as it changes.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { CharTokenizer, greedyGenerate, initModel, makeConfigJson, parseModelConfig } from '@softcot/model';
import { COT_MODES, GAUSSIAN_MODES, noiseSigma, resolveCot } from '@softcot/mixer';
import { rollout } from '@softcot/rollout';
import { paperPrompt, type Example } from '@softcot/data';
import { RLOOTrainer, supervisedFineTune } from '@softcot/trainer';
import { registeredKernelNames } from '../src/register';

async function dispatchedKernels(): Promise<Set<string>> {
  await tf.setBackend('cpu');
  const tok = new CharTokenizer('0123456789+-*=. :{}\\ATUabdefhilnorstwx');
  const format = paperPrompt({ instruction: '' });
  const config = parseModelConfig(makeConfigJson('qwen3', { vocabSize: tok.vocabSize, hiddenSize: 16, intermediateSize: 32, numLayers: 1, numHeads: 2, numKvHeads: 1, tieWordEmbeddings: false }));
  const data: Example[] = ['1+2', '3+4'].map((q, i) => ({ id: String(i), question: q, answer: '3', solution: ' 1+2=3. The final answer is: \\boxed{3}', row: {} }));
  const names = new Set<string>();
  const record = async (f: () => unknown) => {
    const info = await tf.profile(async () => {
      await f();
    });
    // tf.profile also lists custom-gradient scopes (e.g. logSoftmax__op, and 'unnamed scope' for our own tf.customGrad
    // functions: RMSNorm, activation checkpointing); those are not kernels.
    for (const k of info.kernels) if (!k.name.endsWith('__op') && k.name !== 'unnamed scope') names.add(k.name);
  };
  const model = initModel(config, 1);
  const sigma = noiseSigma(model.embeddingMatrix, 0.33);
  await record(() => greedyGenerate(model, [[1, 2, 3], [4, 5]], 3));
  for (const mode of COT_MODES)
    for (const filter of GAUSSIAN_MODES.includes(mode) ? [undefined, { topK: 3, topP: 0.9, minP: 0.05 }] : [undefined]) {
      const cot = resolveCot({ mode, ...(GAUSSIAN_MODES.includes(mode) ? { sigma, ...(filter ? { filter } : {}) } : {}) });
      await record(() => rollout(model, tok, ['1+2', '3+4'], { cot, format, maxCotTokens: 3, maxAnswerTokens: 2, answer: { greedy: false }, seed: 1 }));
    }
  await record(() => supervisedFineTune(model, tok, data, { format, steps: 1, batchSize: 2, lr: 1e-3 }));
  for (const [mode, reward, extra] of [
    ['soft', 'verifier', { ppo: { clip: 0.2 }, kl: { beta: 0.1 } }],
    ['hard', 'jepo', {}],
    ['fuzzy', 'avgprob', { algorithm: 'grpo' }],
    ['gumbel', 'verifier', {}],
    ['multiplex', 'logprob', {}],
  ] as const) {
    const trainer = new RLOOTrainer({
      model, tokenizer: tok, format, cot: { mode, maxTokens: 3, ...(mode === 'soft' ? { filter: { topK: 3, topP: 0.9, minP: 0.05 } } : {}), ...(mode === 'gumbel' ? { gumbel: { score: 'mean-clamped' as const } } : {}) }, reward, promptsPerStep: 1, samplesPerPrompt: 2, microBatch: 2,
      maxAnswerTokens: 2, steps: 1, lr: 1e-3, progress: false, ...extra,
    });
    await record(() => trainer.train(data));
    trainer.dispose();
  }
  model.dispose();
  return names;
}

describe('native kernel coverage', () => {
  it('every kernel our model, rollout, losses and optimiser dispatch is registered for the native backend', async () => {
    const used = await dispatchedKernels();
    const have = new Set(registeredKernelNames());
    const missing = [...used].filter((k) => !have.has(k)).sort();
    console.log(`dispatched ${used.size} kernels: ${[...used].sort().join(' ')}`);
    expect(missing, `kernels dispatched on cpu but missing in the native backend: ${missing.join(', ')}`).toEqual([]);
  });
});
