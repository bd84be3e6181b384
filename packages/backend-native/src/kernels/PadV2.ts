/** PadV2: y = constantValue everywhere, then x copied into y[before_0 : before_0 + n_0, ...]. */
import { PadV2, type PadV2Attrs, type TensorInfo } from '@tensorflow/tfjs';
import { contiguousStrides } from '../geom';
import { assertNotComplex, kernel } from './_shared';

export const padV2Config = kernel(PadV2, ({ inputs, attrs }, b) => {
  const { x } = inputs as { x: TensorInfo };
  const { paddings, constantValue } = attrs as unknown as PadV2Attrs;
  assertNotComplex(PadV2, x);
  const outShape = x.shape.map((d, i) => paddings[i]![0] + d + paddings[i]![1]);
  const out = b.fill(outShape, x.dtype, constantValue);
  const ys = contiguousStrides(outShape);
  const yOff = paddings.reduce((acc, p, i) => acc + p[0] * ys[i]!, 0);
  b.stridedCopy(x, out, x.shape, contiguousStrides(x.shape), 0, ys, yOff, PadV2);
  return out;
});
