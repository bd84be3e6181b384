/**
 * Philox4x32-10 counter-based RNG (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11).
 * The same stream as native/kernels.cu: counter (i_lo, i_hi, off_lo, off_hi), key (seed_lo, seed_hi).
 */
const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** [hi, lo] of the 64-bit product of two uint32 values. */
export function mulhilo32(a: number, b: number): [number, number] {
  const lo = Math.imul(a, b) >>> 0;
  const aH = a >>> 16, aL = a & 0xffff, bH = b >>> 16, bL = b & 0xffff;
  const t = aL * bL;
  const m1 = aH * bL + Math.floor(t / 65536);
  const m2 = aL * bH + (m1 % 65536);
  const hi = (aH * bH + Math.floor(m1 / 65536) + Math.floor(m2 / 65536)) >>> 0;
  return [hi, lo];
}

export function philox4x32_10(c: [number, number, number, number], k0: number, k1: number): [number, number, number, number] {
  let [c0, c1, c2, c3] = c;
  for (let r = 0; r < 10; r++) {
    const [hi0, lo0] = mulhilo32(M0, c0);
    const [hi1, lo1] = mulhilo32(M1, c2);
    const n0 = (hi1 ^ c1 ^ k0) >>> 0;
    const n2 = (hi0 ^ c3 ^ k1) >>> 0;
    c0 = n0; c1 = lo1; c2 = n2; c3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  return [c0, c1, c2, c3];
}

export const split64 = (x: number): [number, number] => [x >>> 0, Math.floor(x / 4294967296) >>> 0];

/** (w >> 8) * 2^-24: a float32 in [0, 1). */
export const u24 = (w: number): number => (w >>> 8) * (1 / 16777216);
