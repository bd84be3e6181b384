/** TopK over the last axis: the k largest values (descending; ties by lower index) and their int32 indices. */
import { TopK, type TensorInfo, type TopKAttrs } from '@tensorflow/tfjs';
import { sizeOf } from '../geom';
import { assertNotComplex, kernel } from './_shared';

export const topKConfig = kernel(TopK, ({ inputs, attrs }, b) => {
  const { x } = inputs as { x: TensorInfo };
  const { k } = attrs as unknown as TopKAttrs;
  assertNotComplex(TopK, x);
  const cols = x.shape[x.shape.length - 1] ?? 1;
  if (k > cols) throw new Error(`TopK: k (${k}) must be <= the last dimension (${cols})`);
  const rows = cols === 0 ? 0 : sizeOf(x.shape) / cols;
  const outShape = [...x.shape.slice(0, -1), k];
  const vals = b.makeOutput(outShape, x.dtype);
  const idx = b.makeOutput(outShape, 'int32');
  b.device.topk(b.ptr(x), b.dt(x), b.ptr(vals), b.ptr(idx), rows, cols, k);
  b.launched();
  return [vals, idx];
});
