// Blockwise 8-bit storage of AdamW moments (Dettmers et al. 2022, "8-bit Optimizers via Block-wise Quantization").
//
// A moment tensor is cut into blocks of 256 values; each block keeps one fp32 scale s = max|x| and one byte per
// value, the index of the nearest entry of a 256-entry "dynamic" code book applied to x / s. The code book spends
// its bits like a float: magnitudes 10^(e−6)·f for exponents e = 0..6, with 2^e (signed: m) or 2^(e+1)
// (unsigned: v) linear fractions f in [0.1, 1] per exponent, plus 0 and 1 — fine resolution near zero, where
// most moment values are. 2.02 bytes per value instead of 4 per moment.
//
// The codes live in host memory (tfjs has no 8-bit dtype), so the update runs on the host: per step the
// gradient is read and the parameter written back. Meant for adapter-sized parameter sets; the device then
// holds no optimizer state at all.

export const MOMENT_BLOCK = 256;

/** The 256 sorted values of the dynamic code book (signed for m, unsigned for v). */
export function dynamicCodeBook(signed: boolean): Float32Array {
  const values: number[] = [0, 1];
  for (let e = 0; e < 7; e++) {
    const fractions = signed ? 2 ** e : 2 ** (e + 1);
    const scale = 10 ** (e - 6);
    for (let k = 0; k < fractions; k++) {
      // Midpoints of `fractions` equal steps over [0.1, 1].
      const f = 0.1 + ((k + 0.5) * 0.9) / fractions;
      values.push(scale * f);
      if (signed) values.push(-scale * f);
    }
  }
  if (values.length !== 256) throw new Error(`internal: code book has ${values.length} entries`);
  return Float32Array.from(values.sort((a, b) => a - b));
}

const SIGNED = dynamicCodeBook(true);
const UNSIGNED = dynamicCodeBook(false);

/** Index of the code nearest to x (codes sorted ascending). */
function nearest(codes: Float32Array, x: number): number {
  let lo = 0;
  let hi = codes.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (codes[mid]! <= x) lo = mid;
    else hi = mid;
  }
  return x - codes[lo]! <= codes[hi]! - x ? lo : hi;
}

/** One moment tensor in 8-bit blocks. */
export class QuantizedMoment {
  readonly codes: Uint8Array;
  readonly scales: Float32Array;
  private readonly book: Float32Array;

  constructor(readonly size: number, readonly signed: boolean) {
    this.book = signed ? SIGNED : UNSIGNED;
    this.codes = new Uint8Array(size).fill(nearest(this.book, 0));
    this.scales = new Float32Array(Math.ceil(size / MOMENT_BLOCK));
  }

  /** Values of block b into out[0 .. block length). */
  readBlock(b: number, out: Float32Array): number {
    const start = b * MOMENT_BLOCK;
    const n = Math.min(MOMENT_BLOCK, this.size - start);
    const s = this.scales[b]!;
    for (let i = 0; i < n; i++) out[i] = this.book[this.codes[start + i]!]! * s;
    return n;
  }

  /** Store values[0 .. n) as block b. */
  writeBlock(b: number, values: Float32Array, n: number): void {
    let max = 0;
    for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(values[i]!));
    const start = b * MOMENT_BLOCK;
    this.scales[b] = max;
    const inv = max > 0 ? 1 / max : 0;
    for (let i = 0; i < n; i++) this.codes[start + i] = nearest(this.book, values[i]! * inv);
  }

  /** Every value, dequantized (tests, diagnostics). */
  values(): Float32Array {
    const out = new Float32Array(this.size);
    const block = new Float32Array(MOMENT_BLOCK);
    for (let b = 0; b < this.scales.length; b++) {
      const n = this.readBlock(b, block);
      out.set(block.subarray(0, n), b * MOMENT_BLOCK);
    }
    return out;
  }
}
