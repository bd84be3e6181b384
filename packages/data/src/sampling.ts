import seedrandom from 'seedrandom';

export type Seed = number | string;
/** A uniform [0, 1) generator. */
export type Rng = () => number;

/** A seeded uniform [0, 1) generator (seedrandom's ARC4). The same seed always gives the same stream. */
export function makeRng(seed: Seed): Rng {
  if (typeof seed === 'number' && !Number.isFinite(seed)) throw new RangeError(`seed must be finite, got ${seed}`);
  const r = seedrandom(String(seed));
  return () => r();
}

/** Uniform integer in [lo, hi] (inclusive). */
export function randInt(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/** A new array with the items in a seeded Fisher–Yates order. The input is not modified. */
export function shuffle<T>(items: readonly T[], seed: Seed | Rng): T[] {
  const rng = typeof seed === 'function' ? seed : makeRng(seed);
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
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

/** n items drawn without replacement in a seeded order. Throws when n exceeds the number of items. */
export function subsample<T>(items: readonly T[], n: number, seed: Seed): T[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`subsample: n must be a non-negative integer, got ${n}`);
  if (n > items.length) throw new RangeError(`subsample: asked for ${n} items but there are only ${items.length}`);
  return shuffle(items, seed).slice(0, n);
}

/** Position of an EpochSampler: the next item is item `index` of epoch `epoch`'s order. */
export interface SamplerState {
  epoch: number;
  index: number;
}

export interface EpochSamplerOptions {
  batchSize: number;
  seed: Seed;
  /** Reshuffle every epoch (default true). When false every epoch uses the order of epoch 0. */
  reshuffle?: boolean;
}

/**
 * Yields batches of `batchSize` items forever, epoch after epoch. Epoch e visits every item once in the
 * seeded order `shuffle(items, "<seed>:<e>")`; a batch that runs past the end of an epoch continues with the
 * start of the next, so every batch has exactly `batchSize` items and no item is dropped. The order is a pure
 * function of (seed, epoch), so `restore(state())` resumes exactly where a run stopped.
 */
export class EpochSampler<T> {
  private readonly items: readonly T[];
  private readonly batchSize: number;
  private readonly seed: Seed;
  private readonly reshuffle: boolean;
  private epoch = 0;
  private index = 0;
  private order: T[] | null = null;
  private orderEpoch = -1;

  constructor(items: readonly T[], opts: EpochSamplerOptions) {
    if (items.length === 0) throw new Error('EpochSampler: no items');
    if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) {
      throw new RangeError(`EpochSampler: batchSize must be a positive integer, got ${opts.batchSize}`);
    }
    this.items = items.slice();
    this.batchSize = opts.batchSize;
    this.seed = opts.seed;
    this.reshuffle = opts.reshuffle ?? true;
  }

  /** Number of items per epoch. */
  get size(): number {
    return this.items.length;
  }

  /** The item order of epoch `epoch`. */
  epochOrder(epoch: number): T[] {
    const e = this.reshuffle ? epoch : 0;
    if (this.orderEpoch !== e || this.order === null) {
      this.order = shuffle(this.items, `${String(this.seed)}:${e}`);
      this.orderEpoch = e;
    }
    return this.order;
  }

  /** The next batch of exactly `batchSize` items. */
  next(): T[] {
    const out: T[] = [];
    while (out.length < this.batchSize) {
      const order = this.epochOrder(this.epoch);
      out.push(order[this.index]!);
      this.index++;
      if (this.index >= order.length) {
        this.epoch++;
        this.index = 0;
      }
    }
    return out;
  }

  /** `count` batches (a finite generator). */
  *batches(count: number): Generator<T[]> {
    for (let i = 0; i < count; i++) yield this.next();
  }

  /** A copy of the current position, JSON-serialisable. */
  state(): SamplerState {
    return { epoch: this.epoch, index: this.index };
  }

  /** Continue from a saved position. */
  restore(state: SamplerState): void {
    const { epoch, index } = state ?? ({} as SamplerState);
    if (!Number.isInteger(epoch) || epoch < 0) throw new RangeError(`EpochSampler.restore: bad epoch ${String(epoch)}`);
    if (!Number.isInteger(index) || index < 0 || index >= this.items.length) {
      throw new RangeError(`EpochSampler.restore: index ${String(index)} is outside [0, ${this.items.length}) — was the state saved with another dataset?`);
    }
    this.epoch = epoch;
    this.index = index;
  }
}
