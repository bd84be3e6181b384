/** OnesLike: y = 1 with x's shape and dtype (one fill). */
import { OnesLike, type TensorInfo } from '@tensorflow/tfjs';
import { assertNotComplex, kernel } from './_shared';

export const onesLikeConfig = kernel(OnesLike, ({ inputs }, b) => {
  const { x } = inputs as { x: TensorInfo };
  assertNotComplex(OnesLike, x);
  return b.fill(x.shape, x.dtype, 1);
});
