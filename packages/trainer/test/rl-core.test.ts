import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { COT_MODES, resolveCot, type CotMode, type CotSettings } from '@softcot/mixer';
import { rollout, type Trajectory } from '@softcot/rollout';
import { paperPrompt } from '@softcot/data';
import { computeAdvantages, entriesPerRow, jepoGroup, logMeanExp, microBatchLoss, scoreSequences, scoredSequence, type LossSettings, type MicroBatch } from '@softcot/trainer';
import { tinyModel, tinyTokenizer } from './helpers';

tf.setBackend('cpu');

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

  it('GRPO divides by the group (sample) std; REINFORCE uses the batch mean or nothing', () => {
    const [g] = computeAdvantages([[0, 2]], { algorithm: 'grpo', eps: 0 });
    expect(g![0]).toBeCloseTo(-1 / Math.SQRT2, 12);
    expect(g![1]).toBeCloseTo(1 / Math.SQRT2, 12);
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

/** A rollout of three prompts on a tiny model, as the micro-batch and loss settings of one training step. */
function stepFixture(mode: CotMode, likelihood?: 'logprob', extra: Omit<CotSettings, 'mode'> = {}) {
  const tok = tinyTokenizer();
  const model = tinyModel(tok.vocabSize, 3);
  const format = paperPrompt({ instruction: '' });
  const policy = resolveCot({ mode, ...extra }, { embeddings: model.embeddingMatrix });
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
  return { model, mb, settings };
}

/** The current policy's per-row log-probs of every entry (CoT steps, then scored tokens), as the trainer records them. */
function currentEntries(model: ReturnType<typeof stepFixture>['model'], mb: MicroBatch, settings: LossSettings): number[][] {
  return tf.tidy(() => {
    const e = scoreSequences(model, mb.seqs, settings.scoring);
    return entriesPerRow(e.cot.dataSync() as Float32Array, e.cotRow, e.scored.dataSync() as Float32Array, e.scoredRow, mb.seqs.length);
  });
}

/** Central-difference check of the full loss against autograd, on chosen parameter entries. */
function gradientCheck(model: ReturnType<typeof stepFixture>['model'], mb: MicroBatch, settings: LossSettings, h = 2e-3) {
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
    const base = v.dataSync().slice() as Float32Array;
    const at = (delta: number) => {
      const x = base.slice();
      x[idx] = x[idx]! + delta;
      v.assign(tf.tensor(x, v.shape));
      return loss();
    };
    // Richardson extrapolation of central differences: D(h) = f' + c·h² + O(h⁴), so (4·D(h/2) − D(h))/3 = f' + O(h⁴).
    const central = (step: number) => (at(step) - at(-step)) / (2 * step);
    const numeric = (4 * central(h / 2) - central(h)) / 3;
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
  const cases: [CotMode, 'logprob' | undefined, Omit<CotSettings, 'mode'>][] = [
    ...COT_MODES.map((m) => [m, undefined, {}] as [CotMode, undefined, {}]),
    ['soft', 'logprob', {}],
    // The authors' variant of the gumbel score: its id set (p̃ > e^(−3)) carries no gradient. Without the clamp: a
    // clamped draw is recorded at the clamp's bound, where f(clamp(x)) has a kink and a central difference averages
    // the slopes on its two sides (the clamp's value is tested in the mixer's tests).
    ['gumbel', undefined, { gumbel: { score: 'mean-clamped', clamp: null } }],
  ];
  for (const [mode, likelihood, extra] of cases) {
    it(`${mode} mode${likelihood ? ` with the ${likelihood} reward term` : ''}${extra.gumbel?.score ? ` (score ${extra.gumbel.score})` : ''}`, () => {
      const { model, mb, settings } = stepFixture(mode, likelihood, extra);
      const rows = gradientCheck(model, mb, settings);
      if (process.env.SOFTCOT_VERBOSE) console.table(rows);
      for (const { name, auto, numeric } of rows) {
        expect(Math.abs(auto), `${name}: gradient must be non-zero`).toBeGreaterThan(1e-3);
        expect(Math.abs(auto - numeric), `${name}: autograd ${auto} vs numeric ${numeric}`).toBeLessThan(2e-3 * Math.abs(numeric) + 1e-3);
      }
    });
  }
});

describe('PPO clipping and the KL penalty', () => {
  // Old log-probs shifted by ±0.3 and ±0.05 make ratios ρ = e^(∓shift) both outside [0.8, 1.2] (clipped, no
  // gradient where the clipped term is the minimum) and inside it; the reference is shifted differently, so every
  // KL term is non-zero. Hard mode: the scored answers are actions too.
  const OLD_SHIFT = [0.3, -0.3, 0.05, -0.05];
  const REF_SHIFT = [0.4, -0.25, 0.1];
  const shifted = (rows: number[][], shift: number[]) => rows.map((r, i) => r.map((x, j) => x + shift[(i + j) % shift.length]!));

  for (const mode of COT_MODES) {
    it(`${mode} mode: the loss is the clipped surrogate plus β·k3, and its gradient matches finite differences`, () => {
      const { model, mb, settings } = stepFixture(mode);
      const now = currentEntries(model, mb, settings);
      const withTerms: MicroBatch = { ...mb, oldEntries: shifted(now, OLD_SHIFT), refEntries: shifted(now, REF_SHIFT) };
      const clip = 0.2;
      const beta = 0.5;
      const ppo: LossSettings = { ...settings, ppoClip: clip, klBeta: beta };

      // The value, from the entries on the host: −(1/N)·Σ min(ρA, clip(ρ, 1 ± ε)A) + (β/N)·Σ (e^(ℓref−ℓ) − (ℓref−ℓ) − 1).
      const actionsPerRow = now.map((r, i) => (settings.scoredAreActions ? r : r.slice(0, r.length - mb.seqs[i]!.scoredIds.length)));
      let surrogate = 0;
      let kl = 0;
      let clippedCount = 0;
      actionsPerRow.forEach((row, i) =>
        row.forEach((l, j) => {
          const A = mb.advantages[i]!;
          const rho = Math.exp(l - withTerms.oldEntries![i]![j]!);
          const c = Math.min(Math.max(rho, 1 - clip), 1 + clip);
          if (c !== rho && c * A < rho * A) clippedCount++;
          surrogate += Math.min(rho * A, c * A);
          const d = withTerms.refEntries![i]![j]! - l;
          kl += Math.exp(d) - d - 1;
        }),
      );
      const expected = -surrogate / settings.normaliser + (beta * kl) / settings.normaliser;
      const got = tf.tidy(() => microBatchLoss(model, withTerms, ppo).dataSync()[0]!);
      expect(got).toBeCloseTo(expected, 4);
      expect(clippedCount).toBeGreaterThan(0); // the clip is active on some entries...
      expect(kl).toBeGreaterThan(0.01); // ...and the KL term is not zero
      // Both terms change the loss and its gradient relative to plain REINFORCE on the same batch.
      const plain = tf.tidy(() => microBatchLoss(model, mb, settings).dataSync()[0]!);
      expect(Math.abs(got - plain)).toBeGreaterThan(1e-3);

      // The ratio and the KL term are exponentials of log-probs that move fast with the weights (soft mode: Gaussian
      // log-densities), so the differences need a smaller step than the linear REINFORCE loss (at h = 2e-3 the plain
      // central difference is off by ~15% in soft mode), yet one large enough for float32 rounding.
      const rows = gradientCheck(model, withTerms, ppo, 5e-4);
      for (const { name, auto, numeric } of rows) {
        expect(Math.abs(auto), `${name}: gradient must be non-zero`).toBeGreaterThan(1e-3);
        expect(Math.abs(auto - numeric), `${name}: autograd ${auto} vs numeric ${numeric}`).toBeLessThan(2e-3 * Math.abs(numeric) + 1e-3);
      }
    });
  }
});
