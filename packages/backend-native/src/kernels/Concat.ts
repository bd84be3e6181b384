/**
 * Concat along `axis`: each input is one strided copy into its slab of the output,
 *   y[..., off_i : off_i + n_i, ...] = x_i.
 */
import { Concat, backend_util, util, type ConcatAttrs, type TensorInfo } from '@tensorflow/tfjs';
import { contiguousStrides } from '../geom';
import { notImplemented } from '../backend';
import { assertNotComplex, kernel } from './_shared';

export const concatConfig = kernel(Concat, ({ inputs, attrs }, b) => {
  const xs = inputs as unknown as TensorInfo[];
  const { axis } = attrs as unknown as ConcatAttrs;
  assertNotComplex(Concat, ...xs);
  const ax = util.parseAxisParam(axis, xs[0]!.shape)[0]!;
  const shapes = xs.map((t) => t.shape);
  backend_util.assertParamsConsistent(shapes, ax);
  const outShape = backend_util.computeOutShape(shapes, ax);
  const dtype = xs[0]!.dtype;
  if (xs.some((t) => t.dtype !== dtype)) throw notImplemented(Concat, `mixed dtypes ${xs.map((t) => t.dtype).join(',')}`);
  const nonEmpty = xs.filter((t) => util.sizeFromShape(t.shape) > 0);
  if (nonEmpty.length === 1) return b.view(nonEmpty[0]!, outShape);
  const out = b.makeOutput(outShape, dtype);
  const ys = contiguousStrides(outShape);
  let off = 0;
  for (const x of xs) {
    b.stridedCopy(x, out, x.shape, contiguousStrides(x.shape), 0, ys, off * ys[ax]!, Concat);
    off += x.shape[ax]!;
  }
  return out;
});
