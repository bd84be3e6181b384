// Sampling one token from a row of logits with the seeded host generator (one seed fixes every draw on the CPU).
import type { Rng } from '@softcot/base';

/** Sample an index from softmax(logits[row] / temperature); argmax when temperature is 0. */
export function sampleFromLogits(logits: Float32Array, vocab: number, row: number, temperature: number, rng: Rng): number {
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
