import { describe, expect, it } from 'vitest';
import { makeRng } from '@softcot/base';
import { epochBatch, epochPermutation, shuffle, split } from '../src';

const items = Array.from({ length: 50 }, (_, i) => i);

describe('shuffle / split', () => {
  it('same seed, same order; different seed, different order; input untouched', () => {
    const a = shuffle(items, 1);
    expect(shuffle(items, 1)).toEqual(a);
    expect(shuffle(items, '1')).toEqual(a); // numbers and strings seed alike
    expect(shuffle(items, 2)).not.toEqual(a);
    expect([...a].sort((x, y) => x - y)).toEqual(items);
    expect(items).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(shuffle([], 3)).toEqual([]);
  });

  it('is a known fixed permutation (guards against rng changes)', () => {
    // Pinned: changing the rng or the Fisher–Yates loop silently changes every split and run order.
    expect(shuffle([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'softcot')).toEqual([8, 7, 9, 0, 4, 2, 3, 1, 6, 5]);
    const r = makeRng(42);
    const first = [r.uniform(), r.uniform()];
    const r2 = makeRng(42);
    expect([r2.uniform(), r2.uniform()]).toEqual(first);
  });

  it('Fisher–Yates is roughly uniform', () => {
    const counts = Array.from({ length: 4 }, () => [0, 0, 0, 0]);
    for (let s = 0; s < 4000; s++) shuffle([0, 1, 2, 3], s).forEach((v, pos) => counts[v]![pos]!++);
    for (const row of counts) for (const c of row) expect(Math.abs(c - 1000)).toBeLessThan(150);
  });

  it('split: disjoint, covering, deterministic, sizes', () => {
    const { train, test } = split(items, { testFraction: 0.2, seed: 7 });
    expect(test).toHaveLength(10);
    expect(train).toHaveLength(40);
    expect(new Set([...train, ...test]).size).toBe(50);
    expect(split(items, { testFraction: 0.2, seed: 7 })).toEqual({ train, test });
    expect(split(items, { testSize: 3, seed: 7 }).test).toEqual(test.slice(0, 3));
    expect(() => split(items, { seed: 1 })).toThrow(/exactly one/);
    expect(() => split(items, { testSize: 51, seed: 1 })).toThrow(/testSize/);
    expect(() => split(items, { testFraction: 1.5, seed: 1 })).toThrow(/testFraction/);
  });

});

describe('epochBatch', () => {
  it('every epoch visits every item once; batches cross epoch boundaries', () => {
    const ten = items.slice(0, 10);
    const seen = Array.from({ length: 5 }, (_, step) => epochBatch(ten, 4, step, 3)).flat(); // 20 items = 2 epochs
    expect(seen).toHaveLength(20);
    expect([...seen.slice(0, 10)].sort((a, b) => a - b)).toEqual(ten);
    expect([...seen.slice(10)].sort((a, b) => a - b)).toEqual(ten);
    expect(seen.slice(0, 10)).not.toEqual(seen.slice(10)); // reshuffled
    expect(seen.slice(0, 10)).toEqual(epochPermutation(10, 3, 0).map((i) => ten[i]));
  });

  it('is a pure function of (seed, step) with the pinned order training runs have used', () => {
    // Pinned: the trainer's and SFT's data order for existing seeds.
    expect(epochPermutation(10, 0, 0)).toEqual([4, 3, 8, 1, 5, 9, 6, 2, 7, 0]);
    expect(epochPermutation(10, 7, 3)).toEqual([6, 8, 0, 7, 2, 4, 3, 1, 9, 5]);
    expect(epochBatch(items, 7, 12, 'run')).toEqual(epochBatch(items, 7, 12, 'run'));
    expect(epochBatch(items, 7, 12, 'run')).not.toEqual(epochBatch(items, 7, 12, 'other'));
  });

  it('batch larger than the dataset, and validation', () => {
    const b = epochBatch([1, 2, 3], 5, 0, 0);
    expect(b).toHaveLength(5);
    expect([...b.slice(0, 3)].sort()).toEqual([1, 2, 3]);
    expect(() => epochBatch([], 1, 0, 0)).toThrow(/no items/);
    expect(() => epochBatch([1], 0, 0, 0)).toThrow(/batchSize/);
    expect(() => epochBatch([1], 1, -1, 0)).toThrow(/step/);
  });
});
