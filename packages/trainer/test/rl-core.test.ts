import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { COT_MODES, gaussianLogDensity, mixtureProbs, noiseSigma, embeddingRms, resolveCot, type CotMode } from '@softcot/mixer';
import { rollout, type Trajectory } from '@softcot/rollout';
import { paperPrompt } from '@softcot/data';
import { computeAdvantages, jepoGroup, logMeanExp, microBatchLoss, scoredSequence, type LossSettings, type MicroBatch } from '@softcot/trainer';
import { tinyModel, tinyTokenizer } from './helpers';

tf.setBackend('cpu');

describe('Gaussian policy on soft inputs', () => {
  it('log-density is −‖h̃ − μ‖²/(2σ²) and its gradient w.r.t. μ equals ε/σ', () => {
    const sigma = 0.7;
    const mu = tf.tensor2d([[0.1, -0.4, 2.0], [1.5, 0.0, -1.0]]);
    const eps = tf.tensor2d([[0.3, -1.2, 0.5], [-0.8, 2.1, 0.05]]);
    const noisy = tf.add(mu, tf.mul(eps, sigma)) as tf.Tensor2D;
    const value = gaussianLogDensity(noisy, mu, sigma).arraySync();
    const e = eps.arraySync();
    value.forEach((v, i) => expect(v).toBeCloseTo(-e[i]!.reduce((a, x) => a + x * x, 0) / 2, 5));
    const grad = tf.grad((m: tf.Tensor) => tf.sum(gaussianLogDensity(noisy, m as tf.Tensor2D, sigma)))(mu).arraySync() as number[][];
    grad.flat().forEach((g, i) => expect(g).toBeCloseTo(e.flat()[i]! / sigma, 4));
  });

  it('σ = γ·RMS(E) with RMS over every entry', () => {
    const E = tf.tensor2d([[3, 4], [0, 0]]);
    expect(embeddingRms(E)).toBeCloseTo(Math.sqrt(25 / 4), 6);
    expect(noiseSigma(E, 0.33)).toBeCloseTo(0.33 * 2.5, 6);
  });

  it('restricted mixtures keep the top tokens and renormalise', () => {
    const logits = tf.tensor2d([[Math.log(0.5), Math.log(0.3), Math.log(0.15), Math.log(0.05)]]);
    const full = mixtureProbs(logits, 1).arraySync()[0]!;
    expect(full[3]).toBeCloseTo(0.05, 5);
    const topK = mixtureProbs(logits, 1, { topK: 2 }).arraySync()[0]!;
    expect(topK[0]).toBeCloseTo(0.5 / 0.8, 5);
    expect(topK[2]).toBe(0);
    const topP = mixtureProbs(logits, 1, { topP: 0.9 }).arraySync()[0]!; // 0.5 + 0.3 < 0.9: three tokens
    expect(topP[2]).toBeCloseTo(0.15 / 0.95, 5);
    expect(topP[3]).toBe(0);
    const minP = mixtureProbs(logits, 1, { minP: 0.5 }).arraySync()[0]!; // keep p >= 0.25
    expect(minP[1]).toBeCloseTo(0.3 / 0.8, 5);
    expect(minP[2]).toBe(0);
  });
});

describe('advantages', () => {
  it('RLOO subtracts the mean of the other samples, without std division', () => {
    const [a] = computeAdvantages([[100, 10, 0, 10]], { algorithm: 'rloo' });
    expect(a).toEqual([100 - 20 / 3, 10 - 110 / 3, 0 - 40, 10 - 110 / 3]);
    expect(a!.reduce((x, y) => x + y, 0)).toBeCloseTo(0, 10);
  });

  it('groups of equal rewards get zero advantage; nulls are left out of the baseline', () => {
    expect(computeAdvantages([[10, 10, 10]], { algorithm: 'rloo' })).toEqual([[0, 0, 0]]);
    expect(computeAdvantages([[5, null, 1]], { algorithm: 'rloo' })).toEqual([[4, 0, -4]]);
    expect(computeAdvantages([[5, null, null]], { algorithm: 'rloo' })).toEqual([[0, 0, 0]]);
    expect(computeAdvantages([[3, 3]], { algorithm: 'grpo' })).toEqual([[0, 0]]);
  });

  it('GRPO divides by the group std; REINFORCE uses the batch mean or nothing', () => {
    const [g] = computeAdvantages([[0, 2]], { algorithm: 'grpo', eps: 0 });
    expect(g).toEqual([-1, 1]);
    expect(computeAdvantages([[1, 3], [5, 7]], { algorithm: 'reinforce', baseline: 'mean' })).toEqual([[-3, -1], [1, 3]]);
    expect(computeAdvantages([[1, 3]], { algorithm: 'reinforce' })).toEqual([[1, 3]]);
  });

  it('JEPO: group reward is log-mean-exp, leave-one-out advantages, weights sum to G', () => {
    const L = [-1, -2, -4];
    const j = jepoGroup(L);
    expect(j.reward).toBeCloseTo(Math.log((Math.exp(-1) + Math.exp(-2) + Math.exp(-4)) / 3), 10);
    expect(j.advantages[0]).toBeCloseTo(j.reward - logMeanExp([-2, -4]), 10);
    expect(j.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(3, 10);
  });
});

/** Central-difference check of the full loss against autograd, on chosen parameter entries. */
function gradientCheck(mode: CotMode, likelihood?: 'logprob') {
  const tok = tinyTokenizer();
  const model = tinyModel(tok.vocabSize, 3);
  const format = paperPrompt({ instruction: '' });
  const policy = resolveCot({ mode }, { embeddings: model.embeddingMatrix });
  const trajs: Trajectory[] = rollout(model, tok, ['1+2', '3*4', '5-1'], {
    cot: policy,
    format,
    maxCotTokens: 6,
    maxAnswerTokens: 3,
    answer: { greedy: false },
    skipAnswer: likelihood !== undefined,
    seed: 11,
  });
  const mb: MicroBatch = {
    seqs: trajs.map((t, i) => scoredSequence(model, policy, t, likelihood ? tok.encode(['3}', '12}', '4}'][i]!, { addSpecialTokens: false }) : t.answerIds)),
    advantages: [0.7, -0.2, -0.5],
  };
  const settings: LossSettings = {
    scoring: { cot: policy, scoredTemperature: 1, padId: 0 },
    scoredAreActions: likelihood === undefined,
    likelihood,
    normaliser: 3,
  };
  const vars = model.trainableVariables;
  const { grads } = tf.variableGrads(() => microBatchLoss(model, mb, settings), vars);
  const loss = () => tf.tidy(() => microBatchLoss(model, mb, settings).dataSync()[0]!);
  const checked: { name: string; auto: number; numeric: number }[] = [];
  for (const name of ['model.embed_tokens.weight', 'model.layers.0.self_attn.q_proj.weight', 'model.layers.0.mlp.down_proj.weight', 'model.norm.weight']) {
    const v = model.params.get(name)!;
    const g = grads[v.name]!.dataSync();
    // The entry with the largest gradient, so the check is not dominated by rounding.
    let idx = 0;
    for (let i = 0; i < g.length; i++) if (Math.abs(g[i]!) > Math.abs(g[idx]!)) idx = i;
    const h = 2e-3;
    const base = v.dataSync().slice() as Float32Array;
    const at = (delta: number) => {
      const x = base.slice();
      x[idx] = x[idx]! + delta;
      v.assign(tf.tensor(x, v.shape));
      return loss();
    };
    const numeric = (at(h) - at(-h)) / (2 * h);
    v.assign(tf.tensor(base, v.shape));
    checked.push({ name, auto: g[idx]!, numeric });
  }
  model.dispose();
  return checked;
}

describe('finite-difference gradient check of the complete loss', () => {
  // float32 throughout: with |loss| ~ 1–10 and h = 2e-3, rounding contributes ~1e-7·|L|/h ≈ 5e-4 and the
  // truncation error h²·|L'''| is of the same order; observed agreement is ~3e-4 relative. 0.2% relative plus
  // 1e-3 absolute is a bound that a wrong gradient (missing path, sign, factor) cannot pass.
  const cases: [CotMode, 'logprob' | undefined][] = [...COT_MODES.map((m) => [m, undefined] as [CotMode, undefined]), ['soft', 'logprob']];
  for (const [mode, likelihood] of cases) {
    it(`${mode} mode${likelihood ? ` with the ${likelihood} reward term` : ''}`, () => {
      const rows = gradientCheck(mode, likelihood);
      if (process.env.SOFTCOT_VERBOSE) console.table(rows);
      for (const { name, auto, numeric } of rows) {
        expect(Math.abs(auto), `${name}: gradient must be non-zero`).toBeGreaterThan(1e-3);
        expect(Math.abs(auto - numeric), `${name}: autograd ${auto} vs numeric ${numeric}`).toBeLessThan(2e-3 * Math.abs(numeric) + 1e-3);
      }
    });
  }
});
