// The training loss is only right if the teacher-forced scoring pass sees exactly what the rollout fed: the same
// inputs at the same positions, with the same mixtures. These tests compare three computations of each step:
// the rollout (batched, left-padded, KV-cached), one plain forward pass per row (no padding, no cache), and
// `scoreSequences` (batched, left-padded, one pass), on prompts of different lengths.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { CausalLM } from '@softcot/model';
import { paperPrompt } from '@softcot/data';
import { rollout, type Trajectory } from '@softcot/rollout';
import { makeRng } from '@softcot/base';
import { gumbelNoise, resolveCot, type CotPolicy, type GumbelPolicy, type MultiplexPolicy } from '@softcot/mixer';
import { scoreSequences, scoredSequence, type ScoredSequence } from '../src/logprobs';
import { tinyModel, tinyTokenizer } from './helpers';

tf.setBackend('cpu');

const tok = tinyTokenizer();
const model = tinyModel(tok.vocabSize, 3);
const format = paperPrompt({ instruction: '' });
// Prompts of different lengths, so rows are left-padded by different amounts.
const QUESTIONS = ['1+2', '34-5*6', '7', '8*9+10-11'];
const SIGMA = 0.05;

function sequences(policy: CotPolicy, trajs: Trajectory[]): ScoredSequence[] {
  return trajs.map((t) => scoredSequence(model, policy, t, t.answerIds));
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
    const hard = resolveCot({ mode: 'hard' });
    const trajs = rollout(model, tok, QUESTIONS, { cot: hard, format, maxCotTokens: 12, maxAnswerTokens: 4, answer: { greedy: false, temperature: 1 }, seed: 11 });
    const scored = tf.tidy(() => {
      const e = scoreSequences(model, sequences(hard, trajs), { cot: hard, scoredTemperature: 1, padId: tok.padTokenId });
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
      const trajs = rollout(model, tok, QUESTIONS, { cot: resolveCot({ mode, greedy: true }), format, maxCotTokens: 12, maxAnswerTokens: 4, answer: { greedy: true }, seed: 11 });
      // σ = 0 fed the mixtures themselves; scored against a small σ, any mismatch of a position or a mixture
      // shows up as a large negative log-density.
      const scoring = resolveCot({ mode, sigma: SIGMA });
      const cot = tf.tidy(() => Array.from(scoreSequences(model, sequences(scoring, trajs), { cot: scoring, scoredTemperature: 1, padId: tok.padTokenId }).cot.dataSync()));
      expect(cot.length).toBe(trajs.reduce((a, t) => a + t.cotTokens.length, 0));
      for (const v of cot) expect(Math.abs(v)).toBeLessThan(1e-4);
    });
  }

  it('soft, sampled: per-step entropies match a per-row forward fed the recorded inputs, and the noise is N(0, σ²)', () => {
    const questions = [...QUESTIONS, ...QUESTIONS, ...QUESTIONS, ...QUESTIONS];
    const soft = resolveCot({ mode: 'soft', sigma: SIGMA });
    const trajs = rollout(model, tok, questions, { cot: soft, format, maxCotTokens: 12, maxAnswerTokens: 4, answer: { greedy: false, temperature: 1 }, seed: 12 });
    const d = model.config.hiddenSize;
    for (const t of trajs.slice(0, QUESTIONS.length)) {
      const P = t.promptIds.length;
      const fed = new Map(t.cotTokens.map((_, s) => [P + s, t.cot.values.subarray(s * d, (s + 1) * d)] as const));
      const logp = rowLogProbs(model, [...t.promptIds, ...t.cotTokens, ...t.prefillIds, ...t.answerIds], fed);
      t.cotTokens.forEach((_, s) => expect(entropy(logp[P + s - 1]!)).toBeCloseTo(t.entropies[s]!, 4));
    }
    // Log-density −‖ε‖²/(2σ²) per step: with ε ~ N(0, σ²·I_d), the mean of −2·entry/d is E[z²] = 1.
    const cot = tf.tidy(() => Array.from(scoreSequences(model, sequences(soft, trajs), { cot: soft, scoredTemperature: 1, padId: tok.padTokenId }).cot.dataSync()));
    const meanZ2 = cot.reduce((a, v) => a - (2 * v) / d, 0) / cot.length;
    expect(cot.length * d).toBeGreaterThan(1000); // so the mean has a std below 0.05
    expect(Math.abs(meanZ2 - 1)).toBeLessThan(0.2);
  });
});

describe('teacher-forced scoring reproduces gumbel and multiplex rollouts (ragged, left-padded batch)', () => {
  const gumbelLogDensity = (x: number) => -x - Math.exp(-x);

  it('gumbel: the rebuilt inputs reproduce the rollout, g′ − log p̃(θ) is the drawn noise, and the score is Σ f(noise)', () => {
    const policy = resolveCot({ mode: 'gumbel', gumbel: { clamp: null } }) as GumbelPolicy;
    const trajs = rollout(model, tok, QUESTIONS, { cot: policy, format, maxCotTokens: 8, maxAnswerTokens: 4, answer: { greedy: true }, seed: 21 });
    const seqs = sequences(policy, trajs);
    const k = policy.topK;
    // Replay the seeded stream: at CoT step s, the rows still in their CoT draw one noise per kept id, in row order.
    const replay = makeRng(21);
    const noise = trajs.map((t) => new Float64Array(t.cot.steps * k));
    for (let s = 0; s < Math.max(...trajs.map((t) => t.cot.steps)); s++)
      trajs.forEach((t, r) => {
        if (s >= t.cot.steps) return;
        for (let j = 0; j < k && t.cot.ids[s * k + j]! >= 0; j++) noise[r]![s * k + j] = gumbelNoise(replay);
      });
    const expected: number[] = [];
    trajs.forEach((t, r) => {
      const P = t.promptIds.length;
      const fed = new Map(t.cotTokens.map((_, s) => [P + s, seqs[r]!.cotInputs!.subarray(s * model.config.hiddenSize, (s + 1) * model.config.hiddenSize)] as const));
      const logp = rowLogProbs(model, [...t.promptIds, ...t.cotTokens, ...t.prefillIds], fed);
      t.cotTokens.forEach((_, s) => {
        // The rebuilt inputs give the rollout's logits back: same entropies at every step.
        expect(entropy(logp[P + s - 1]!)).toBeCloseTo(t.entropies[s]!, 4);
        const ids = Array.from(t.cot.ids.subarray(s * k, (s + 1) * k)).filter((id) => id >= 0);
        const z = Math.log(ids.reduce((a, id) => a + Math.exp(logp[P + s - 1]![id]!), 0));
        let sum = 0;
        ids.forEach((id, j) => {
          const x = t.cot.values[s * k + j]! - (logp[P + s - 1]![id]! - z);
          expect(x).toBeCloseTo(noise[r]![s * k + j]!, 3);
          sum += gumbelLogDensity(x);
        });
        expected.push(sum);
      });
    });
    const cot = tf.tidy(() => Array.from(scoreSequences(model, seqs, { cot: policy, scoredTemperature: 1, padId: tok.padTokenId }).cot.dataSync()));
    expect(cot.length).toBe(expected.length);
    cot.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 3));
  });

  it("multiplex: the draws' log-probabilities under teacher forcing equal the rollout's", () => {
    const policy = resolveCot({ mode: 'multiplex' }) as MultiplexPolicy;
    const trajs = rollout(model, tok, QUESTIONS, { cot: policy, format, maxCotTokens: 8, maxAnswerTokens: 4, answer: { greedy: false, temperature: 1 }, seed: 22 });
    const seqs = sequences(policy, trajs);
    const K = policy.samples;
    const cot = tf.tidy(() => Array.from(scoreSequences(model, seqs, { cot: policy, scoredTemperature: 1, padId: tok.padTokenId }).cot.dataSync()));
    const recorded = trajs.flatMap((t) => t.cotTokens.map((_, s) => t.cot.values.subarray(s * K, (s + 1) * K).reduce((a, b) => a + b, 0)));
    expect(cot.length).toBe(recorded.length);
    cot.forEach((v, i) => expect(v).toBeCloseTo(recorded[i]!, 4));
    // And a per-row forward fed the rebuilt inputs sees the rollout's distributions.
    const d = model.config.hiddenSize;
    trajs.forEach((t, r) => {
      const P = t.promptIds.length;
      const fed = new Map(t.cotTokens.map((_, s) => [P + s, seqs[r]!.cotInputs!.subarray(s * d, (s + 1) * d)] as const));
      const logp = rowLogProbs(model, [...t.promptIds, ...t.cotTokens], fed);
      t.cotTokens.forEach((_, s) => expect(entropy(logp[P + s - 1]!)).toBeCloseTo(t.entropies[s]!, 4));
    });
  });

  it('greedy: multiplex greedy is hard greedy; gumbel greedy reads the argmax text with g′ = log p̃', () => {
    const run = (cot: CotPolicy) => rollout(model, tok, QUESTIONS, { cot, format, maxCotTokens: 8, maxAnswerTokens: 4, answer: { greedy: true }, seed: 1 });
    const hard = run(resolveCot({ mode: 'hard', greedy: true }));
    const multiplex = run(resolveCot({ mode: 'multiplex', greedy: true }));
    expect(multiplex.map((t) => t.completion)).toEqual(hard.map((t) => t.completion));
    const gumbel = resolveCot({ mode: 'gumbel', greedy: true }) as GumbelPolicy;
    const [t] = run(gumbel);
    // The first CoT step sees the prompt only, so its argmax equals hard greedy's.
    expect(t!.cotTokens[0]).toBe(hard[0]!.cotTokens[0]);
    const g = Array.from(t!.cot.values.subarray(0, gumbel.topK)).filter((_, j) => t!.cot.ids[j]! >= 0);
    expect(g.reduce((a, x) => a + Math.exp(x), 0)).toBeCloseTo(1, 5);
  });
});
