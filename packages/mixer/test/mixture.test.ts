import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { makeRng } from '@softcot/base';
import { embeddingRms, entropyOfLogits, filterMask, gaussianLogDensity, mixEmbeddings, mixtureProbs, noiseSigma, sampleFromLogits } from '../src';

tf.setBackend('cpu');

const P = [0.5, 0.3, 0.15, 0.05];
const logitsOf = (p: number[]) => tf.tensor2d([p.map(Math.log)]);

describe('mixture p = softmax(logits / τ)', () => {
  it('equals the softmax at temperature τ, in fp32', () => {
    const z = [1.0, -0.5, 2.0, 0.25];
    for (const tau of [1, 0.5, 1e-4]) {
      const got = mixtureProbs(tf.tensor2d([z]), tau).arraySync()[0]!;
      const m = Math.max(...z);
      const e = z.map((x) => Math.exp((x - m) / tau));
      const s = e.reduce((a, b) => a + b, 0);
      got.forEach((p, i) => expect(p).toBeCloseTo(e[i]! / s, 6));
    }
  });

  it('top-k, top-p and min-p keep the expected tokens and renormalise', () => {
    const full = mixtureProbs(logitsOf(P), 1).arraySync()[0]!;
    full.forEach((p, i) => expect(p).toBeCloseTo(P[i]!, 6));
    const topK = mixtureProbs(logitsOf(P), 1, { topK: 2 }).arraySync()[0]!;
    expect(topK).toEqual([expect.closeTo(0.5 / 0.8, 6), expect.closeTo(0.3 / 0.8, 6), 0, 0]);
    // top-p keeps a token while the mass before it is below topP: 0, 0.5, 0.8 < 0.9, then 0.95 ≥ 0.9 stops.
    const topP = mixtureProbs(logitsOf(P), 1, { topP: 0.9 }).arraySync()[0]!;
    expect(topP).toEqual([expect.closeTo(0.5 / 0.95, 6), expect.closeTo(0.3 / 0.95, 6), expect.closeTo(0.15 / 0.95, 6), 0]);
    // min-p keeps p ≥ minP · p_max = 0.25.
    const minP = mixtureProbs(logitsOf(P), 1, { minP: 0.5 }).arraySync()[0]!;
    expect(minP).toEqual([expect.closeTo(0.5 / 0.8, 6), expect.closeTo(0.3 / 0.8, 6), 0, 0]);
    // Filters combine as an intersection.
    const both = mixtureProbs(logitsOf(P), 1, { topP: 0.9, topK: 1 }).arraySync()[0]!;
    expect(both).toEqual([1, 0, 0, 0]);
  });

  it('the argmax is always kept, row by row, and the mask is not on the gradient tape', () => {
    const probs = tf.tensor2d([P, [0.05, 0.15, 0.3, 0.5]]);
    expect(filterMask(probs, { topP: 1e-9 }).arraySync()).toEqual([[1, 0, 0, 0], [0, 0, 0, 1]]);
    expect(filterMask(probs, { minP: 0.999 }).arraySync()).toEqual([[1, 0, 0, 0], [0, 0, 0, 1]]);
    // d/dz of Σ p_i·w_i through a top-2 mixture equals the gradient of the renormalised softmax over the two kept
    // tokens alone (the kept set is a constant).
    const w = tf.tensor1d([1, -2, 3, 4]);
    const z = tf.tensor2d([[0.3, 0.1, -0.2, -1.0]]);
    const viaFilter = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(mixtureProbs(x as tf.Tensor2D, 1, { topK: 2 }), w)))(z).arraySync() as number[][];
    const viaSubset = tf.grad((x: tf.Tensor) => {
      const kept = tf.softmax(tf.slice(x, [0, 0], [1, 2]));
      return tf.sum(tf.mul(kept, tf.slice(w, [0], [2])));
    })(z).arraySync() as number[][];
    expect(viaFilter[0]![0]).toBeCloseTo(viaSubset[0]![0]!, 6);
    expect(viaFilter[0]![1]).toBeCloseTo(viaSubset[0]![1]!, 6);
    expect(viaFilter[0]![2]).toBeCloseTo(0, 7);
    expect(viaFilter[0]![3]).toBeCloseTo(0, 7);
  });

  it('p·E is the probability-weighted sum of embedding rows', () => {
    const E = tf.tensor2d([[1, 0], [0, 2], [3, 3], [-1, 1]]);
    const mixed = mixEmbeddings(tf.tensor2d([P]), E).arraySync()[0]!;
    expect(mixed[0]).toBeCloseTo(0.5 * 1 + 0.15 * 3 - 0.05, 6);
    expect(mixed[1]).toBeCloseTo(0.3 * 2 + 0.15 * 3 + 0.05, 6);
  });
});

describe('Gaussian policy log N(h̃; μ, σ²I) up to a constant', () => {
  const sigma = 0.7;
  const mu = [[0.1, -0.4, 2.0], [1.5, 0.0, -1.0]];
  const eps = [[0.3, -1.2, 0.5], [-0.8, 2.1, 0.05]];
  const noisy = tf.tensor2d(mu.map((r, i) => r.map((m, j) => m + sigma * eps[i]![j]!)));

  it('value: −‖h̃ − μ‖²/(2σ²) = −‖ε‖²/2', () => {
    const value = gaussianLogDensity(noisy, tf.tensor2d(mu), sigma).arraySync();
    value.forEach((v, i) => expect(v).toBeCloseTo(-eps[i]!.reduce((a, x) => a + x * x, 0) / 2, 5));
  });

  it('gradient w.r.t. μ is ε/σ and matches central finite differences', () => {
    const f = (m: number[][]) => tf.tidy(() => tf.sum(gaussianLogDensity(noisy, tf.tensor2d(m), sigma)).dataSync()[0]!);
    const grad = tf.grad((m: tf.Tensor) => tf.sum(gaussianLogDensity(noisy, m as tf.Tensor2D, sigma)))(tf.tensor2d(mu)).arraySync() as number[][];
    const h = 1e-2; // the density is quadratic in μ, so central differences are exact up to fp32 rounding
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 3; j++) {
        const plus = mu.map((r) => [...r]);
        const minus = mu.map((r) => [...r]);
        plus[i]![j]! += h;
        minus[i]![j]! -= h;
        const fd = (f(plus) - f(minus)) / (2 * h);
        expect(grad[i]![j]).toBeCloseTo(fd, 2);
        expect(grad[i]![j]).toBeCloseTo(eps[i]![j]! / sigma, 4);
      }
  });

  it('refuses σ ≤ 0', () => {
    expect(() => gaussianLogDensity(noisy, tf.tensor2d(mu), 0)).toThrow(/sigma must be > 0/);
  });
});

describe('noise scale σ = γ·RMS(E)', () => {
  it('RMS is over every entry of E', () => {
    const E = tf.tensor2d([[3, 4], [0, 0]]);
    expect(embeddingRms(E)).toBeCloseTo(Math.sqrt(25 / 4), 6);
    expect(noiseSigma(E, 0.33)).toBeCloseTo(0.33 * 2.5, 6);
    expect(noiseSigma(E, 0)).toBe(0);
  });
});

describe('host-side helpers', () => {
  it('entropy of softmax(logits) per row, in nats', () => {
    const logits = Float32Array.from([...P.map(Math.log), 0, 0, 0, 0]);
    expect(entropyOfLogits(logits, 4, 0)).toBeCloseTo(-P.reduce((a, p) => a + p * Math.log(p), 0), 5);
    expect(entropyOfLogits(logits, 4, 1)).toBeCloseTo(Math.log(4), 6);
  });

  it('sampleFromLogits draws from softmax(logits/τ) and takes the argmax at τ = 0', () => {
    const logits = Float32Array.from(P.map(Math.log));
    const rng = makeRng(5);
    const counts = [0, 0, 0, 0];
    const n = 20_000;
    for (let i = 0; i < n; i++) counts[sampleFromLogits(logits, 4, 0, 1, rng)]!++;
    // 4 standard errors of a binomial share.
    counts.forEach((c, i) => expect(Math.abs(c / n - P[i]!)).toBeLessThan(4 * Math.sqrt((P[i]! * (1 - P[i]!)) / n)));
    expect(sampleFromLogits(logits, 4, 0, 0, rng)).toBe(0);
    // τ = 0.5 squares the odds: p ∝ P².
    const sq = P.map((p) => p * p);
    const z = sq.reduce((a, b) => a + b, 0);
    let first = 0;
    for (let i = 0; i < n; i++) if (sampleFromLogits(logits, 4, 0, 0.5, rng) === 0) first++;
    expect(Math.abs(first / n - sq[0]! / z)).toBeLessThan(0.02);
  });
});
