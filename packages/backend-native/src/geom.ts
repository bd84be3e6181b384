/**
 * Shape and stride arithmetic for the strided kernels, done on the host before a launch:
 * broadcasting strides, collapsing mergeable axes (so most launches are rank 1 or 2), and packing to the
 * Int32Array layout the addon reads (see device/api.ts PackedGeom).
 */
import type { PackedGeom } from './device/api';

export const MAX_RANK = 6;

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d]!;
  }
  return s;
}

/** numpy broadcasting of two shapes; throws on a mismatch. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out = new Array<number>(r);
  for (let i = 0; i < r; i++) {
    const da = a[a.length - r + i] ?? 1, db = b[b.length - r + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`shapes [${a}] and [${b}] cannot be broadcast`);
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Element strides of a contiguous tensor of `inShape` read as `outShape` (right-aligned; broadcast axes get 0). */
export function broadcastStrides(inShape: readonly number[], outShape: readonly number[]): number[] {
  const cs = contiguousStrides(inShape);
  const off = outShape.length - inShape.length;
  return outShape.map((d, i) => {
    const j = i - off;
    if (j < 0) return 0;
    return inShape[j] === 1 && d !== 1 ? 0 : inShape[j] === 1 ? 0 : cs[j]!;
  });
}

export interface StridedOperands {
  shape: number[];
  strides: number[][];
  mod?: number[];
}

/**
 * Drop size-1 axes and merge axis d into d+1 when every operand is contiguous across the pair
 * (stride[d] == stride[d+1] * shape[d+1]) and neither axis wraps. Returns an equivalent, shorter geometry.
 */
export function collapse(g: StridedOperands): StridedOperands {
  const nOps = g.strides.length;
  let shape: number[] = [];
  let strides: number[][] = g.strides.map(() => []);
  let mod: number[] = [];
  g.shape.forEach((d, i) => {
    const m = g.mod?.[i] ?? 0;
    if (d === 1 && m <= 1) return;
    shape.push(d);
    mod.push(m);
    for (let k = 0; k < nOps; k++) strides[k]!.push(g.strides[k]![i]!);
  });
  if (shape.length === 0) return { shape: [1], strides: g.strides.map(() => [0]), mod: [0] };
  const outShape: number[] = [shape[0]!];
  const outStrides: number[][] = strides.map((s) => [s[0]!]);
  const outMod: number[] = [mod[0]!];
  for (let i = 1; i < shape.length; i++) {
    const last = outShape.length - 1;
    const canMerge = outMod[last] === 0 && mod[i] === 0 &&
      strides.every((s, k) => outStrides[k]![last] === s[i]! * shape[i]!);
    if (canMerge) {
      outShape[last] = outShape[last]! * shape[i]!;
      for (let k = 0; k < nOps; k++) outStrides[k]![last] = strides[k]![i]!;
    } else {
      outShape.push(shape[i]!);
      outMod.push(mod[i]!);
      for (let k = 0; k < nOps; k++) outStrides[k]!.push(strides[k]![i]!);
    }
  }
  shape = outShape;
  strides = outStrides;
  mod = outMod;
  return { shape, strides, mod };
}

/** Pack for the addon. `what` names the kernel for the error when the collapsed rank is still above MAX_RANK. */
export function packGeom(g: StridedOperands, offsets: number[], what: string): PackedGeom {
  const c = collapse(g);
  const rank = c.shape.length, nOps = c.strides.length;
  if (rank > MAX_RANK) throw new Error(`not implemented in the native backend: ${what} with rank ${rank} > ${MAX_RANK} after collapsing axes`);
  const p = new Int32Array(2 + rank + nOps * rank + nOps + rank);
  p[0] = rank;
  p[1] = nOps;
  let q = 2;
  for (const d of c.shape) p[q++] = d;
  for (const s of c.strides) for (const v of s) p[q++] = v;
  for (let k = 0; k < nOps; k++) p[q++] = offsets[k] ?? 0;
  for (const m of c.mod ?? c.shape.map(() => 0)) p[q++] = m;
  return p;
}
