/** bfloat16 <-> float32 on the host, round-to-nearest-even (same rule as the addon and __float2bfloat16_rn). */
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function f32ToBf16Bits(x: number): number {
  f32[0] = x;
  let u = u32[0]!;
  if ((u & 0x7fffffff) > 0x7f800000) return ((u >>> 16) | 0x40) & 0xffff; // quiet NaN
  u = (u + 0x7fff + ((u >>> 16) & 1)) >>> 0;
  return u >>> 16;
}

export function bf16BitsToF32(h: number): number {
  u32[0] = (h & 0xffff) << 16;
  return f32[0]!;
}

/** Round a float32 value to the nearest bf16 value (returned as a float32-representable number). */
export function roundBf16(x: number): number {
  return bf16BitsToF32(f32ToBf16Bits(x));
}

/** Round every element of a Float32Array to bf16, in place; returns the array. */
export function roundBf16Array(a: Float32Array): Float32Array {
  for (let i = 0; i < a.length; i++) a[i] = roundBf16(a[i]!);
  return a;
}
