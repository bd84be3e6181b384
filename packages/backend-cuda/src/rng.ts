/** Seeds for the device Philox generator. */

/** A tfjs seed (any number, often Math.random()) as a non-negative integer below 2^53. */
export function seedToInt(seed: number | undefined): number {
  if (seed === undefined || !Number.isFinite(seed)) return 0x5eed;
  const s = Math.abs(seed);
  if (Number.isInteger(s) && s < 2 ** 53) return s;
  if (s < 1) return Math.floor(s * 2 ** 52); // Math.random(): keep 52 bits of the fraction
  return Math.floor(s % 2 ** 53);
}
