/** Max over `reductionIndices` (fp32 compare; NaN is skipped unless the whole row is NaN). */
import { Max, type MaxAttrs, type TensorInfo } from '@tensorflow/tfjs';
import { ROP } from '../device/api';
import { assertNotComplex, kernel } from './_shared';

export const maxConfig = kernel(Max, ({ inputs, attrs }, b) => {
  const { x } = inputs as { x: TensorInfo };
  const { reductionIndices, keepDims } = attrs as unknown as MaxAttrs;
  assertNotComplex(Max, x);
  return b.reduce(x, reductionIndices, keepDims, ROP.MAX, x.dtype, Max);
});
