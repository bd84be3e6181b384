// Seeded host-side randomness: one seed fixes sampling, noise and data order on the CPU.
import seedrandom from 'seedrandom';

export interface SamplingRng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
}

export function makeSamplingRng(seed: string | number): SamplingRng {
  const prng = seedrandom(String(seed));
  let spare: number | null = null;
  return {
    uniform: () => prng.double(),
    normal: () => {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      let u = 0;
      while (u === 0) u = prng.double();
      const v = prng.double();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
  };
}

/** Sample an index from softmax(logits[row] / temperature); argmax when temperature is 0. */
export function sampleFromLogits(logits: Float32Array, vocab: number, row: number, temperature: number, rng: SamplingRng): number {
  const off = row * vocab;
  let best = 0;
  for (let v = 1; v < vocab; v++) if (logits[off + v]! > logits[off + best]!) best = v;
  if (temperature === 0) return best;
  const max = logits[off + best]!;
  let z = 0;
  for (let v = 0; v < vocab; v++) z += Math.exp((logits[off + v]! - max) / temperature);
  let u = rng.uniform() * z;
  for (let v = 0; v < vocab; v++) {
    u -= Math.exp((logits[off + v]! - max) / temperature);
    if (u <= 0) return v;
  }
  return best; // rounding left a sliver of mass: fall back to the mode
}
