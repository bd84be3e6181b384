// The one seeded random number generator on the host: one seed fixes sampling, noise and data order on the CPU.
// seedrandom's ARC4 generator; `prng()` and `prng.double()` are the same function there, so every stream that
// data's makeRng and the mixer's sampling generator produced before they were merged is unchanged.
import seedrandom from 'seedrandom';

export type Seed = number | string;

export interface Rng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal (Box–Muller; each pair of uniforms gives two normals). */
  normal(): number;
}

/** A seeded generator. The same seed always gives the same stream. */
export function makeRng(seed: Seed): Rng {
  if (typeof seed === 'number' && !Number.isFinite(seed)) throw new RangeError(`seed must be finite, got ${seed}`);
  const prng = seedrandom(String(seed));
  let spare: number | null = null;
  return {
    uniform: () => prng(),
    normal: () => {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      // z0 = √(−2 ln u)·cos(2πv), z1 = √(−2 ln u)·sin(2πv) for u, v uniform; u = 0 is redrawn (ln 0).
      let u = 0;
      while (u === 0) u = prng();
      const v = prng();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
  };
}

/** Uniform integer in [lo, hi] (inclusive). */
export function randInt(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng.uniform() * (hi - lo + 1));
}
