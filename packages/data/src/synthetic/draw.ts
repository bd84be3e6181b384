// What the synthetic generators share: option checks, a generator from a seed or an rng, and drawing distinct examples.
import { makeRng, type Rng, type Seed } from '@softcot/base';
import type { Example } from '../types';

export function checkInt(name: string, v: number, lo: number, hi = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`${name} must be an integer in [${lo}, ${hi}], got ${v}`);
}

export function rngOf(seed: Seed | undefined, rng: Rng | undefined, what: string): Rng {
  if (rng) return rng;
  if (seed === undefined) throw new Error(`${what}: give a seed (or an rng)`);
  return makeRng(seed);
}

/** Draws unique examples from `make` until `n`, with a bounded number of attempts. */
export function drawExamples(n: number, unique: boolean, exclude: Iterable<string> | undefined, what: string, make: () => Example): Example[] {
  checkInt('n', n, 0);
  const excluded = new Set(exclude ?? []);
  const seen = new Set<string>();
  const out: Example[] = [];
  const maxAttempts = 100 * n + 1000;
  let attempts = 0;
  while (out.length < n) {
    if (++attempts > maxAttempts) {
      throw new Error(`${what}: could only draw ${out.length} of ${n} distinct questions in ${maxAttempts} attempts; raise the difficulty or lower n`);
    }
    const ex = make();
    if (excluded.has(ex.question)) continue;
    if (unique) {
      if (seen.has(ex.question)) continue;
      seen.add(ex.question);
    }
    out.push(ex);
  }
  return out;
}
