/** Slice: y = x[begin_0 : begin_0 + size_0, ...] (one strided copy; offset = sum begin_d * stride_d). */
import { Slice, slice_util, type SliceAttrs, type TensorInfo } from '@tensorflow/tfjs';
import type { NativeBackend } from '../backend';
import { contiguousStrides } from '../geom';
import { assertNotComplex, kernel } from './_shared';

export function sliceImpl(b: NativeBackend, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  if (size.every((s, i) => s === x.shape[i]) && begin.every((v) => v === 0)) return b.view(x);
  const out = b.makeOutput(size, x.dtype);
  const xs = contiguousStrides(x.shape);
  const off = begin.reduce((acc, v, i) => acc + v * xs[i]!, 0);
  b.stridedCopy(x, out, size, xs, off, contiguousStrides(size), 0, Slice);
  return out;
}

export const sliceConfig = kernel(Slice, ({ inputs, attrs }, b) => {
  const { x } = inputs as { x: TensorInfo };
  const { begin, size } = attrs as unknown as SliceAttrs;
  assertNotComplex(Slice, x);
  const [$begin, $size] = slice_util.parseSliceParams(x as never, begin, size);
  slice_util.assertParamsValid(x as never, $begin, $size);
  return sliceImpl(b, x, $begin, $size);
});
