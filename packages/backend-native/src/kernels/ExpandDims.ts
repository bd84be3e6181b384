/** ExpandDims: the same buffer with a unit axis inserted (refcount only). */
import { ExpandDims, util, type ExpandDimsAttrs, type TensorInfo } from '@tensorflow/tfjs';
import { kernel } from './_shared';

export const expandDimsConfig = kernel(ExpandDims, ({ inputs, attrs }, b) => {
  const { input } = inputs as { input: TensorInfo };
  const { dim } = attrs as unknown as ExpandDimsAttrs;
  const rank = input.shape.length;
  const axis = dim < 0 ? rank + dim + 1 : dim;
  util.assert(axis >= 0 && axis <= rank, () => `ExpandDims: axis ${dim} out of range for rank ${rank}`);
  const shape = input.shape.slice();
  shape.splice(axis, 0, 1);
  return b.view(input, shape);
});
