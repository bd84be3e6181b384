// The training loss is only right if the teacher-forced scoring pass sees exactly what the rollout fed: the same
// inputs at the same positions, with the same mixtures. These tests compare three computations of each step:
// the rollout (batched, left-padded, KV-cached), one plain forward pass per row (no padding, no cache), and
// `scoreSequences` (batched, left-padded, one pass), on prompts of different lengths.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { CausalLM } from '@softcot/model';
import { paperPrompt } from '@softcot/data';
import { rollout, type Trajectory } from '@softcot/rollout';
import { scoreSequences, type ScoredSequence } from '../src/logprobs';
import { tinyModel, tinyTokenizer } from './helpers';

tf.setBackend('cpu');

const tok = tinyTokenizer();
const model = tinyModel(tok.vocabSize, 3);
const format = paperPrompt({ instruction: '' });
// Prompts of different lengths, so rows are left-padded by different amounts.
const QUESTIONS = ['1+2', '34-5*6', '7', '8*9+10-11'];
const SIGMA = 0.05;

function sequences(trajs: Trajectory[]): ScoredSequence[] {
  return trajs.map((t) => ({ promptIds: t.promptIds, cotTokens: t.cotTokens, cotInputs: t.cotInputs, prefillIds: t.prefillIds, scoredIds: t.answerIds }));
}

/** Log-softmax (τ = 1) at every position of one unpadded row, fed by token ids except at the soft positions. */
function rowLogProbs(m: CausalLM, ids: number[], soft: Map<number, Float32Array>): number[][] {
  return tf.tidy(() => {
    const d = m.config.hiddenSize;
    const embeds = new Float32Array(ids.length * d);
    const use = new Float32Array(ids.length);
    for (const [pos, x] of soft) {
      embeds.set(x, pos * d);
      use[pos] = 1;
    }
    const logits = m.forward({
      inputIds: tf.tensor2d([ids], undefined, 'int32'),
      ...(soft.size > 0 ? { inputEmbeds: tf.tensor3d(embeds, [1, ids.length, d]), useEmbeds: tf.tensor2d(use, [1, ids.length]) } : {}),
    }).logits!;
    return (tf.logSoftmax(logits.squeeze([0])).arraySync() as number[][]);
  });
}

const entropy = (logp: number[]) => -logp.reduce((a, l) => a + Math.exp(l) * l, 0);

describe('teacher-forced scoring reproduces the rollout', () => {
  it('hard: per-step entropies and action log-probs agree across rollout, per-row forward and batched scoring', () => {
    const trajs = rollout(model, tok, QUESTIONS, { cot: { mode: 'hard' }, format, maxCotTokens: 12, maxAnswerTokens: 4, answer: { greedy: false, temperature: 1 }, seed: 11 });
    const scored = tf.tidy(() => {
      const e = scoreSequences(model, sequences(trajs), { mode: 'hard', cotTemperature: 1, sigma: 0, scoredTemperature: 1, padId: tok.padTokenId });
      return { cot: Array.from(e.cot.dataSync()), scored: Array.from(e.scored.dataSync()) };
    });
    let ci = 0, si = 0;
    for (const t of trajs) {
      const ids = [...t.promptIds, ...t.cotTokens, ...t.prefillIds, ...t.answerIds];
      const logp = rowLogProbs(model, ids, new Map());
      const P = t.promptIds.length;
      t.cotTokens.forEach((x, s) => {
        expect(entropy(logp[P + s - 1]!)).toBeCloseTo(t.entropies[s]!, 4);
        expect(scored.cot[ci++]).toBeCloseTo(logp[P + s - 1]![x]!, 4);
      });
      const A = P + t.cotTokens.length + t.prefillIds.length;
      t.answerIds.forEach((y, k) => expect(scored.scored[si++]).toBeCloseTo(logp[A + k - 1]![y]!, 4));
    }
    expect(ci).toBe(scored.cot.length);
    expect(si).toBe(scored.scored.length);
    expect(ci).toBeGreaterThan(QUESTIONS.length);
  });

  for (const mode of ['soft', 'fuzzy'] as const) {
    it(`${mode}, greedy: the scoring pass recomputes exactly the mixtures the rollout fed (log-density 0)`, () => {
      const trajs = rollout(model, tok, QUESTIONS, { cot: { mode, greedy: true }, format, maxCotTokens: 12, maxAnswerTokens: 4, answer: { greedy: true }, seed: 11 });
      const temperature = mode === 'soft' ? 0.5 : 1e-4;
      // σ = 0 fed the mixtures themselves; scored against a small σ, any mismatch of a position or a mixture
      // shows up as a large negative log-density.
      const cot = tf.tidy(() => Array.from(scoreSequences(model, sequences(trajs), { mode, cotTemperature: temperature, sigma: SIGMA, scoredTemperature: 1, padId: tok.padTokenId }).cot.dataSync()));
      expect(cot.length).toBe(trajs.reduce((a, t) => a + t.cotTokens.length, 0));
      for (const v of cot) expect(Math.abs(v)).toBeLessThan(1e-4);
    });
  }

  it('soft, sampled: per-step entropies match a per-row forward fed the recorded inputs, and the noise is N(0, σ²)', () => {
    const questions = [...QUESTIONS, ...QUESTIONS, ...QUESTIONS, ...QUESTIONS];
    const trajs = rollout(model, tok, questions, { cot: { mode: 'soft' }, format, maxCotTokens: 12, maxAnswerTokens: 4, answer: { greedy: false, temperature: 1 }, sigma: SIGMA, seed: 12 });
    const d = model.config.hiddenSize;
    for (const t of trajs.slice(0, QUESTIONS.length)) {
      const P = t.promptIds.length;
      const soft = new Map(t.cotTokens.map((_, s) => [P + s, t.cotInputs!.subarray(s * d, (s + 1) * d)] as const));
      const logp = rowLogProbs(model, [...t.promptIds, ...t.cotTokens, ...t.prefillIds, ...t.answerIds], soft);
      t.cotTokens.forEach((_, s) => expect(entropy(logp[P + s - 1]!)).toBeCloseTo(t.entropies[s]!, 4));
    }
    // Log-density −‖ε‖²/(2σ²) per step: with ε ~ N(0, σ²·I_d), the mean of −2·entry/d is E[z²] = 1.
    const cot = tf.tidy(() => Array.from(scoreSequences(model, sequences(trajs), { mode: 'soft', cotTemperature: 0.5, sigma: SIGMA, scoredTemperature: 1, padId: tok.padTokenId }).cot.dataSync()));
    const meanZ2 = cot.reduce((a, v) => a - (2 * v) / d, 0) / cot.length;
    expect(cot.length * d).toBeGreaterThan(1000); // so the mean has a std below 0.05
    expect(Math.abs(meanZ2 - 1)).toBeLessThan(0.2);
  });
});
