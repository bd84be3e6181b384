/** Reshape: the same buffer under a new shape (refcount only). */
import { Reshape, util, type ReshapeAttrs, type TensorInfo } from '@tensorflow/tfjs';
import { kernel } from './_shared';

export const reshapeConfig = kernel(Reshape, ({ inputs, attrs }, b) => {
  const { x } = inputs as { x: TensorInfo };
  const { shape } = attrs as unknown as ReshapeAttrs;
  const size = util.sizeFromShape(x.shape);
  const $shape = util.inferFromImplicitShape(shape, size);
  util.assert(util.sizeFromShape($shape) === size, () => `new shape [${$shape}] does not match size ${size} of [${x.shape}]`);
  return b.view(x, $shape);
});
