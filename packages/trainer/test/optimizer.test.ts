import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { AdamW, clipScale, globalNorm, learningRate } from '../src/optimizer';

tf.setBackend('cpu');

describe('AdamW', () => {
  it('two updates match the hand-computed values (bias correction, decoupled weight decay)', () => {
    // p0 = 1, lr = 0.1, wd = 0.01, β1 = 0.9, β2 = 0.999, ε = 1e-8.
    // t = 1, g = 0.5:  m = 0.05, v = 2.5e-4, m̂ = 0.5, v̂ = 0.25, p = 1·(1 − 0.001) − 0.1·0.5/(0.5 + ε) = 0.899000002
    // t = 2, g = −1:   m = −0.055, v = 1.24975e-3, m̂ = −0.055/0.19, v̂ = 1.24975e-3/0.001999,
    //                  p = 0.899000002·0.999 − 0.1·m̂/(√v̂ + ε) = 0.934711354
    const p = tf.variable(tf.tensor1d([1]));
    const opt = new AdamW(new Map([['w', p]]), { weightDecay: 0.01 });
    opt.apply(new Map([['w', tf.tensor1d([0.5])]]), 0.1);
    expect(p.dataSync()[0]).toBeCloseTo(0.899000002, 6);
    opt.apply(new Map([['w', tf.tensor1d([-1])]]), 0.1);
    expect(p.dataSync()[0]).toBeCloseTo(0.934711354, 6);
    expect(opt.step).toBe(2);
    const state = new Map(opt.state().tensors.map((t) => [t.name, t.data()]));
    expect(state.get('m.w')![0]).toBeCloseTo(-0.055, 7);
    expect(state.get('v.w')![0]).toBeCloseTo(1.24975e-3, 9);
    opt.dispose();
  });

  it('with a zero gradient only the decay acts: p ← p·(1 − lr·wd); parameters without a gradient stay put', () => {
    const a = tf.variable(tf.tensor1d([2, -4]));
    const b = tf.variable(tf.tensor1d([3]));
    const opt = new AdamW(new Map([['a', a], ['b', b]]), { weightDecay: 0.1 });
    opt.apply(new Map([['a', tf.zeros([2])]]), 0.5);
    expect(Array.from(a.dataSync())).toEqual([expect.closeTo(2 * 0.95, 6), expect.closeTo(-4 * 0.95, 6)]);
    expect(b.dataSync()[0]).toBe(3);
    opt.dispose();
  });

  it('an update that would leave a non-finite weight or moment changes nothing and returns false', () => {
    const p = tf.variable(tf.tensor1d([1, 2]));
    const q = tf.variable(tf.tensor1d([3]));
    const opt = new AdamW(new Map([['p', p], ['q', q]]));
    expect(opt.apply(new Map([['p', tf.tensor1d([0.1, 0.2])], ['q', tf.tensor1d([0.3])]]), 1e300)).toBe(false); // p − lr·update overflows
    expect(opt.apply(new Map([['p', tf.tensor1d([0.1, 0.2])], ['q', tf.tensor1d([1e20])]]), 1e-3)).toBe(false); // g² overflows v
    expect([...p.dataSync(), ...q.dataSync()]).toEqual([1, 2, 3]);
    expect(opt.step).toBe(0);
    const moment = (name: string) => [...opt.state().tensors.find((t) => t.name === name)!.data()];
    expect([...moment('m.q'), ...moment('v.q')]).toEqual([0, 0]);
    expect(opt.apply(new Map([['p', tf.tensor1d([0.1, 0.2])], ['q', tf.tensor1d([0.3])]]), 1e-3)).toBe(true);
    expect(opt.step).toBe(1);
    opt.dispose();
  });

  it('restore() continues exactly where state() left off', () => {
    const run = (split: boolean) => {
      const p = tf.variable(tf.tensor1d([1, 2]));
      let opt = new AdamW(new Map([['w', p]]), { weightDecay: 0.01 });
      const grads = [[0.3, -0.1], [-0.2, 0.4], [0.05, 0.05]];
      grads.forEach((g, i) => {
        if (split && i === 2) {
          const { step, tensors } = opt.state();
          const saved = new Map(tensors.map((t) => [t.name, Float32Array.from(t.data())]));
          opt.dispose();
          opt = new AdamW(new Map([['w', p]]), { weightDecay: 0.01 });
          opt.restore(step, (key) => saved.get(key)!);
        }
        opt.apply(new Map([['w', tf.tensor1d(g)]]), 0.05);
      });
      opt.dispose();
      return Array.from(p.dataSync());
    };
    expect(run(true)).toEqual(run(false));
  });
});

describe('learning-rate schedule', () => {
  const o = { lr: 1, warmupSteps: 2, totalSteps: 10, minLrRatio: 0.1 };
  it('linear warm-up, then cosine from lr to minLrRatio·lr over the remaining steps', () => {
    expect(learningRate(0, o)).toBeCloseTo(0.5, 12);
    expect(learningRate(1, o)).toBeCloseTo(1, 12);
    expect(learningRate(2, o)).toBeCloseTo(1, 12); // progress 0
    // step 4: progress 2/8 → 0.1 + 0.9·½(1 + cos(π/4)) = 0.868198052
    expect(learningRate(4, o)).toBeCloseTo(0.868198052, 8);
    expect(learningRate(6, o)).toBeCloseTo(0.55, 12); // progress ½ → 0.1 + 0.45
    expect(learningRate(10, o)).toBeCloseTo(0.1, 12);
    expect(learningRate(15, o)).toBeCloseTo(0.1, 12); // past the end: stays at the floor
  });

  it('constant schedule and no warm-up; the floor defaults to 0', () => {
    expect(learningRate(0, { ...o, schedule: 'constant' })).toBeCloseTo(0.5, 12);
    expect(learningRate(7, { ...o, schedule: 'constant' })).toBe(1);
    expect(learningRate(0, { lr: 2, warmupSteps: 0, totalSteps: 4 })).toBe(2);
    expect(learningRate(2, { lr: 2, warmupSteps: 0, totalSteps: 4 })).toBeCloseTo(1, 12);
    expect(learningRate(4, { lr: 2, warmupSteps: 0, totalSteps: 4 })).toBeCloseTo(0, 12);
  });
});

describe('gradient clipping', () => {
  it('global norm over every tensor; clipping scales all of them by maxNorm/norm', () => {
    const g = new Map([['a', tf.tensor1d([3, 0])], ['b', tf.tensor1d([0, 4])]]);
    const norm = globalNorm(g.values());
    expect(norm).toBeCloseTo(5, 6);
    expect(clipScale(norm, 1)).toBeCloseTo(0.2, 6);
    expect(clipScale(norm, 10)).toBe(1);
    // AdamW applies the scale: with it, the first update's moments are those of the clipped gradient.
    const p = tf.variable(tf.tensor1d([0, 0]));
    const opt = new AdamW(new Map([['a', p]]));
    opt.apply(new Map([['a', g.get('a')!]]), 0.1, clipScale(norm, 1));
    expect(Array.from(opt.state().tensors.find((t) => t.name === 'm.a')!.data())).toEqual([expect.closeTo(0.1 * 0.6, 5), 0]);
    expect(globalNorm([tf.tensor1d([Number.NaN])])).toBeNaN();
  });
});
