/** ZerosLike: y = 0 with x's shape and dtype (one fill). */
import { ZerosLike, type TensorInfo } from '@tensorflow/tfjs';
import { assertNotComplex, kernel } from './_shared';

export const zerosLikeConfig = kernel(ZerosLike, ({ inputs }, b) => {
  const { x } = inputs as { x: TensorInfo };
  assertNotComplex(ZerosLike, x);
  return b.fill(x.shape, x.dtype, 0);
});
