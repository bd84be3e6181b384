import { makeRng, type Rng, type Seed } from '@softcot/base';

/** A new array with the items in a seeded Fisher–Yates order. The input is not modified. */
export function shuffle<T>(items: readonly T[], seed: Seed | Rng): T[] {
  const rng = typeof seed === 'object' ? seed : makeRng(seed);
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}

export interface SplitOptions {
  /** Fraction of items in the test part, in [0, 1]; test size = round(fraction · n). */
  testFraction?: number;
  /** Exact number of items in the test part. Give this or testFraction, not both. */
  testSize?: number;
  seed: Seed;
}

/** Seeded split into disjoint train and test parts (the test part is the first items of the seeded shuffle). */
export function split<T>(items: readonly T[], opts: SplitOptions): { train: T[]; test: T[] } {
  const n = items.length;
  const hasF = opts.testFraction !== undefined;
  const hasS = opts.testSize !== undefined;
  if (hasF === hasS) throw new Error('split: give exactly one of testFraction and testSize');
  let testSize: number;
  if (hasF) {
    const f = opts.testFraction!;
    if (!(f >= 0 && f <= 1)) throw new RangeError(`split: testFraction must be in [0, 1], got ${f}`);
    testSize = Math.round(f * n);
  } else {
    testSize = opts.testSize!;
    if (!Number.isInteger(testSize) || testSize < 0 || testSize > n) {
      throw new RangeError(`split: testSize must be an integer in [0, ${n}], got ${testSize}`);
    }
  }
  const order = shuffle(items, opts.seed);
  return { test: order.slice(0, testSize), train: order.slice(testSize) };
}

const permutationCache = new Map<string, number[]>();

/**
 * The item order of epoch `epoch`: a seeded permutation of 0..n-1, `shuffle(0..n-1, "<seed>:data:<epoch>")`
 * (cached: every step of an epoch asks for it).
 */
export function epochPermutation(n: number, seed: Seed, epoch: number): number[] {
  const key = `${n}:${String(seed)}:${epoch}`;
  let perm = permutationCache.get(key);
  if (!perm) {
    perm = shuffle(
      Array.from({ length: n }, (_, i) => i),
      `${String(seed)}:data:${epoch}`,
    );
    if (permutationCache.size > 64) permutationCache.clear();
    permutationCache.set(key, perm);
  }
  return perm;
}

/**
 * Batch `step` (0-based) of `batchSize` items. Position p = step·batchSize + b takes item
 * epochPermutation(n, seed, ⌊p/n⌋)[p mod n]: every epoch visits every item once, a batch that runs past the end of
 * an epoch continues with the next one, and the batch is a pure function of (seed, step), so resuming at a step
 * needs no sampler state.
 */
export function epochBatch<T>(items: readonly T[], batchSize: number, step: number, seed: Seed): T[] {
  const n = items.length;
  if (n === 0) throw new Error('epochBatch: no items');
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`epochBatch: batchSize must be a positive integer, got ${batchSize}`);
  if (!Number.isInteger(step) || step < 0) throw new RangeError(`epochBatch: step must be a non-negative integer, got ${step}`);
  return Array.from({ length: batchSize }, (_, b) => {
    const p = step * batchSize + b;
    return items[epochPermutation(n, seed, Math.floor(p / n))[p % n]!]!;
  });
}
