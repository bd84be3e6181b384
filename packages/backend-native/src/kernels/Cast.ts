/** Cast: same dtype is a refcount (no copy); float->int truncates; ->bool is x != 0. */
import { Cast, type CastAttrs, type TensorInfo } from '@tensorflow/tfjs';
import { assertNotComplex, kernel } from './_shared';

export const castConfig = kernel(Cast, ({ inputs, attrs }, b) => {
  const { x } = inputs as { x: TensorInfo };
  const { dtype } = attrs as unknown as CastAttrs;
  assertNotComplex(Cast, x);
  return b.cast(x, dtype);
});
