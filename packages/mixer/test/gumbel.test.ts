// The gumbel mode at the mixer level (method.md §7): the kept support, the recorded noise, the Gumbel-max property,
// greedy steps, and the log-density the training pass computes from a record.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { makeRng } from '@softcot/base';
import { gumbelNoise, gumbelSupport, mixerFor, resolveCot, type GumbelPolicy } from '../src';

tf.setBackend('cpu');

const V = 8;
const D = 4;
const E = tf.tensor2d(Array.from({ length: V * D }, (_, i) => Math.sin(i + 1)), [V, D]);
// p over 8 tokens: five clearly likely, three small.
const LOGITS = Float32Array.from([2.0, 1.4, 1.1, 0.3, 0.2, -2, -3, -4]);
const policyOf = (g: Parameters<typeof resolveCot>[0]['gumbel'] = {}, greedy = false) => resolveCot({ mode: 'gumbel', greedy, gumbel: g }) as GumbelPolicy;

function stepLogits(rows: number): { host: Float32Array; tensor: tf.Tensor2D; vocab: number } {
  const host = new Float32Array(rows * V);
  for (let r = 0; r < rows; r++) host.set(LOGITS, r * V);
  return { host, tensor: tf.tensor2d(host, [rows, V]), vocab: V };
}

const softmax = (x: ArrayLike<number>) => {
  const m = Math.max(...Array.from(x));
  const e = Array.from(x, (v) => Math.exp(v - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
};

describe('gumbel support: top-k, then top-p on the renormalised top-k distribution', () => {
  it('keeps the k most likely ids, most likely first, with log p̃ renormalised over them', () => {
    const s = gumbelSupport(policyOf({ topK: 5, topP: 1 }), LOGITS, V, 0);
    expect(s.ids).toEqual([0, 1, 2, 3, 4]);
    const p = softmax(LOGITS);
    const z = p.slice(0, 5).reduce((a, b) => a + b, 0);
    s.logProbs.forEach((lp, i) => expect(lp).toBeCloseTo(Math.log(p[i]! / z), 6));
  });

  it('top-p keeps the shortest prefix whose renormalised mass reaches it', () => {
    const p = softmax(LOGITS).slice(0, 5);
    const z = p.reduce((a, b) => a + b, 0);
    const q = p.map((x) => x / z); // 0.36 0.20 0.15 0.07 0.06 (approx.), cumulated 0.36 0.56 0.71 ...
    const cumulative = q.map((_, i) => q.slice(0, i + 1).reduce((a, b) => a + b, 0));
    const topP = (cumulative[1]! + cumulative[2]!) / 2; // reached by the third id
    const s = gumbelSupport(policyOf({ topK: 5, topP }), LOGITS, V, 0);
    expect(s.ids).toEqual([0, 1, 2]);
    expect(s.logProbs.reduce((a, lp) => a + Math.exp(lp), 0)).toBeCloseTo(1, 6);
    // A peaked distribution keeps one id.
    expect(gumbelSupport(policyOf(), Float32Array.from([30, 0, 0, 0, 0, 0, 0, 0]), V, 0).ids).toEqual([0]);
  });
});

describe('gumbel steps', () => {
  it('g′ − log p̃ is the drawn (clamped) Gumbel noise; the shadow token is argmax g′; one seed reproduces a step', () => {
    const policy = policyOf();
    const rows = 6;
    const act = (seed: number) => mixerFor(policy).act(policy, stepLogits(rows), Array.from({ length: rows }, (_, r) => r), E, makeRng(seed));
    const a = act(3);
    const replay = makeRng(3);
    const support = gumbelSupport(policy, LOGITS, V, 0);
    for (let r = 0; r < rows; r++) {
      let best = -Infinity;
      let bestId = -1;
      support.ids.forEach((id, j) => {
        const eps = Math.min(3, Math.max(-1.5, gumbelNoise(replay)));
        const g = a.record.values[r * policy.topK + j]!;
        expect(a.record.ids[r * policy.topK + j]).toBe(id);
        expect(g - support.logProbs[j]!).toBeCloseTo(eps, 5);
        if (g > best) [best, bestId] = [g, id];
      });
      for (let j = support.ids.length; j < policy.topK; j++) expect(a.record.ids[r * policy.topK + j]).toBe(-1);
      expect(a.tokens[r]).toBe(bestId);
    }
    expect(Array.from(act(3).record.values)).toEqual(Array.from(a.record.values));
    expect(Array.from(act(4).record.values)).not.toEqual(Array.from(a.record.values));
  });

  it('the next input is Σ y′_i·E[i], y′ = softmax(g′/τ_g), and the rebuilt input of the record is identical', () => {
    const policy = policyOf();
    const a = mixerFor(policy).act(policy, stepLogits(2), [0, 1], E, makeRng(9));
    const e = E.arraySync();
    for (let r = 0; r < 2; r++) {
      const ids = Array.from(a.record.ids.subarray(r * 5, r * 5 + 5)).filter((id) => id >= 0);
      const y = softmax(ids.map((_, j) => a.record.values[r * 5 + j]! / policy.tau));
      for (let k = 0; k < D; k++) expect(a.inputEmbeds![r * D + k]).toBeCloseTo(ids.reduce((acc, id, j) => acc + y[j]! * e[id]![k]!, 0), 5);
    }
    expect(Array.from(mixerFor(policy).inputs(policy, a.record, E)!)).toEqual(Array.from(a.inputEmbeds!));
  });

  it('greedy: no noise (g′ = log p̃), the shadow token is the argmax', () => {
    const policy = policyOf({}, true);
    const a = mixerFor(policy).act(policy, stepLogits(1), [0], E, makeRng(1));
    const support = gumbelSupport(policy, LOGITS, V, 0);
    support.logProbs.forEach((lp, j) => expect(a.record.values[j]).toBeCloseTo(lp, 6));
    expect(a.tokens[0]).toBe(0);
  });

  it('Gumbel-max: without the clamp, argmax g′ is distributed as p̃ (χ² test, fixed seed)', () => {
    const policy = policyOf({ topK: 5, topP: 1, clamp: null });
    const n = 20000;
    const a = mixerFor(policy).act(policy, stepLogits(n), Array.from({ length: n }, (_, r) => r), E, makeRng(2026));
    const support = gumbelSupport(policy, LOGITS, V, 0);
    const counts = support.ids.map((id) => a.tokens.filter((t) => t === id).length);
    const chi2 = counts.reduce((acc, c, j) => acc + (c - n * Math.exp(support.logProbs[j]!)) ** 2 / (n * Math.exp(support.logProbs[j]!)), 0);
    // 4 degrees of freedom: P(χ² > 18.47) = 0.001.
    expect(chi2).toBeLessThan(18.47);
    // The test has power: the same draws are far from the unrenormalised top-5 proportions of a flattened p.
    const flat = softmax(Array.from(LOGITS.slice(0, 5), (x) => x / 2));
    const chi2Flat = counts.reduce((acc, c, j) => acc + (c - n * flat[j]!) ** 2 / (n * flat[j]!), 0);
    expect(chi2Flat).toBeGreaterThan(100);
  });
});

describe('gumbel log-density from a record', () => {
  const gumbelLogDensity = (x: number) => -x - Math.exp(-x);

  it("'sum' is Σ f(g′ − log p̃) over the kept ids; 'mean-clamped' the mean over p̃ > e^(−3) of f(clamp(·))", () => {
    const sum = policyOf({ topK: 5, topP: 1 });
    const a = mixerFor(sum).act(sum, stepLogits(3), [0, 1, 2], E, makeRng(5));
    const logits = tf.tensor2d(stepLogits(3).host, [3, V]);
    const got = Array.from(mixerFor(sum).logProb(sum, logits, E, a.record).dataSync());
    const support = gumbelSupport(sum, LOGITS, V, 0);
    for (let r = 0; r < 3; r++) {
      const x = support.ids.map((_, j) => a.record.values[r * 5 + j]! - support.logProbs[j]!);
      expect(got[r]).toBeCloseTo(x.reduce((acc, v) => acc + gumbelLogDensity(v), 0), 4);
      const mean = { ...sum, score: 'mean-clamped' as const };
      const counted = x.filter((_, j) => support.logProbs[j]! > -3).map((v) => gumbelLogDensity(Math.min(3, Math.max(-1.5, v))));
      const meanGot = mixerFor(mean).logProb(mean, logits, E, a.record).dataSync()[r]!;
      expect(meanGot).toBeCloseTo(counted.reduce((acc, v) => acc + v, 0) / counted.length, 4);
    }
  });
});
