/** Min over `axis` (fp32 compare; NaN is skipped unless the whole row is NaN). */
import { Min, type MinAttrs, type TensorInfo } from '@tensorflow/tfjs';
import { ROP } from '../device/api';
import { assertNotComplex, kernel } from './_shared';

export const minConfig = kernel(Min, ({ inputs, attrs }, b) => {
  const { x } = inputs as { x: TensorInfo };
  const { axis, keepDims } = attrs as unknown as MinAttrs;
  assertNotComplex(Min, x);
  return b.reduce(x, axis, keepDims, ROP.MIN, x.dtype, Min);
});
