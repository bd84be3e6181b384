/**
 * UnsortedSegmentSum: x viewed as [rows, inner] with segmentIds.shape = x.shape[:r];
 *   y[s, i] = sum_{r : seg[r] = s} x[r, i]   (fp32; bf16 storage accumulates in an f32 temp, then rounds once).
 * This is the embedding gradient.
 */
import { UnsortedSegmentSum, type TensorInfo, type UnsortedSegmentSumAttrs } from '@tensorflow/tfjs';
import { notImplemented } from '../backend';
import { DT, UOP } from '../device/api';
import { sizeOf } from '../geom';
import { assertNotComplex, kernel } from './_shared';

export const unsortedSegmentSumConfig = kernel(UnsortedSegmentSum, ({ inputs, attrs }, b) => {
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = attrs as unknown as UnsortedSegmentSumAttrs;
  assertNotComplex(UnsortedSegmentSum, x, segmentIds);
  const r = segmentIds.shape.length;
  if (segmentIds.dtype !== 'int32') throw notImplemented(UnsortedSegmentSum, `segmentIds of dtype ${segmentIds.dtype}`);
  if (!segmentIds.shape.every((d, i) => d === x.shape[i])) {
    throw notImplemented(UnsortedSegmentSum, `segmentIds shape [${segmentIds.shape}] not a prefix of x shape [${x.shape}]`);
  }
  const rows = sizeOf(segmentIds.shape), inner = sizeOf(x.shape.slice(r));
  const outShape = [numSegments, ...x.shape.slice(r)];
  const dtype = x.dtype === 'bool' ? 'int32' : x.dtype;
  const out = b.makeOutput(outShape, dtype);
  if (b.dt(out) !== DT.BF16) {
    b.device.segmentSum(b.ptr(x), b.dt(x), b.ptr(segmentIds), b.ptr(out), b.dt(out), rows, inner, numSegments);
    b.launched();
    return out;
  }
  // bf16 storage: accumulate in f32, then round once.
  const acc = b.allocator.malloc(numSegments * inner * 4);
  try {
    b.device.segmentSum(b.ptr(x), b.dt(x), b.ptr(segmentIds), acc.ptr, DT.F32, rows, inner, numSegments);
    b.device.unary(UOP.COPY, acc.ptr, DT.F32, b.ptr(out), DT.BF16, numSegments * inner, 0, 0);
    b.launched();
    b.launched();
  } finally {
    b.allocator.free(acc);
  }
  return out;
});
