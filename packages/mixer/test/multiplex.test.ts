// The multiplex mode at the mixer level (method.md §7): K i.i.d. draws, p-proportional or uniform weights, the exact
// step log-probability, and the greedy step (K copies of the argmax).
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { makeRng } from '@softcot/base';
import { mixerFor, resolveCot, sampleFromLogits, type MultiplexPolicy } from '../src';

tf.setBackend('cpu');

const V = 6;
const D = 3;
const E = tf.tensor2d(Array.from({ length: V * D }, (_, i) => Math.cos(i)), [V, D]);
const LOGITS = Float32Array.from([1.5, 1.0, 0.2, -0.5, -1, -2]);
const logp = (() => {
  const m = Math.max(...LOGITS);
  const z = Array.from(LOGITS).reduce((a, x) => a + Math.exp(x - m), 0);
  return Array.from(LOGITS, (x) => x - m - Math.log(z));
})();
const policyOf = (multiplex: { samples?: number; weights?: 'prob' | 'uniform' } = {}, greedy = false) => resolveCot({ mode: 'multiplex', greedy, multiplex }) as MultiplexPolicy;
const logits = (rows: number) => {
  const host = new Float32Array(rows * V);
  for (let r = 0; r < rows; r++) host.set(LOGITS, r * V);
  return { host, tensor: tf.tensor2d(host, [rows, V]), vocab: V };
};

describe('multiplex steps', () => {
  it('draws K tokens from p with the seeded stream, records their log-probabilities, and reads the argmax as text', () => {
    const policy = policyOf({ samples: 3 });
    const a = mixerFor(policy).act(policy, logits(4), [0, 1, 2, 3], E, makeRng(7));
    const replay = makeRng(7);
    for (let i = 0; i < 12; i++) {
      const k = sampleFromLogits(LOGITS, V, 0, 1, replay);
      expect(a.record.ids[i]).toBe(k);
      expect(a.record.values[i]).toBeCloseTo(logp[k]!, 5);
    }
    expect(a.tokens).toEqual([0, 0, 0, 0]);
  });

  it("the input is Σ w_j·E[k_j] with w ∝ p(k_j) ('prob') or 1/K ('uniform'); the rebuilt input is identical", () => {
    const e = E.arraySync();
    for (const weights of ['prob', 'uniform'] as const) {
      const policy = policyOf({ samples: 4, weights });
      const a = mixerFor(policy).act(policy, logits(2), [0, 1], E, makeRng(3));
      for (let r = 0; r < 2; r++) {
        const ks = Array.from(a.record.ids.subarray(r * 4, r * 4 + 4));
        const w = ks.map((k) => (weights === 'prob' ? Math.exp(logp[k]!) : 1));
        const z = w.reduce((x, y) => x + y, 0);
        for (let c = 0; c < D; c++) expect(a.inputEmbeds![r * D + c]).toBeCloseTo(ks.reduce((acc, k, j) => acc + (w[j]! / z) * e[k]![c]!, 0), 5);
      }
      expect(Array.from(mixerFor(policy).inputs(policy, a.record, E)!)).toEqual(Array.from(a.inputEmbeds!));
    }
  });

  it('the step log-probability is Σ_j log p(k_j), exactly the recorded values', () => {
    const policy = policyOf({ samples: 3 });
    const a = mixerFor(policy).act(policy, logits(5), [0, 1, 2, 3, 4], E, makeRng(11));
    const lp = Array.from(mixerFor(policy).logProb(policy, tf.tensor2d(logits(5).host, [5, V]), E, a.record).dataSync());
    for (let r = 0; r < 5; r++) expect(lp[r]).toBeCloseTo(a.record.values.subarray(r * 3, r * 3 + 3).reduce((x, y) => x + y, 0), 5);
  });

  it('greedy: K copies of the argmax, so the input is the argmax embedding (hard greedy)', () => {
    const policy = policyOf({ samples: 3 }, true);
    const a = mixerFor(policy).act(policy, logits(1), [0], E, makeRng(1));
    expect(Array.from(a.record.ids)).toEqual([0, 0, 0]);
    const e0 = E.arraySync()[0]!;
    e0.forEach((x, c) => expect(a.inputEmbeds![c]).toBeCloseTo(x, 6));
  });
});
