/** Pack (tf.stack): each input viewed with a size-1 axis inserted, then one Concat-style copy per input. */
import { Pack, util, type PackAttrs, type TensorInfo } from '@tensorflow/tfjs';
import { notImplemented } from '../backend';
import { contiguousStrides } from '../geom';
import { assertNotComplex, kernel } from './_shared';

export const packConfig = kernel(Pack, ({ inputs, attrs }, b) => {
  const xs = inputs as unknown as TensorInfo[];
  const { axis } = attrs as unknown as PackAttrs;
  assertNotComplex(Pack, ...xs);
  const s0 = xs[0]!.shape;
  const dtype = xs[0]!.dtype;
  if (xs.some((t) => t.dtype !== dtype)) throw notImplemented(Pack, 'mixed dtypes');
  xs.forEach((t) => util.assertShapesMatch(s0, t.shape, 'All tensors passed to stack must have matching shapes'));
  const ax = axis < 0 ? axis + s0.length + 1 : axis;
  const one = [...s0.slice(0, ax), 1, ...s0.slice(ax)];
  const outShape = [...s0.slice(0, ax), xs.length, ...s0.slice(ax)];
  const out = b.makeOutput(outShape, dtype);
  const ys = contiguousStrides(outShape);
  xs.forEach((x, i) => b.stridedCopy(x, out, one, contiguousStrides(one), 0, ys, i * ys[ax]!, Pack));
  return out;
});
