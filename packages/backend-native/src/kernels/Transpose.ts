/** Transpose: y[c] = x[c permuted] (one strided copy; identity perm is a refcount). */
import { Transpose, type TensorInfo, type TransposeAttrs } from '@tensorflow/tfjs';
import { assertNotComplex, kernel } from './_shared';

export const transposeConfig = kernel(Transpose, ({ inputs, attrs }, b) => {
  const { x } = inputs as { x: TensorInfo };
  const { perm } = attrs as unknown as TransposeAttrs;
  assertNotComplex(Transpose, x);
  return b.transpose(x, perm);
});
