/** ClipByValue: y = min(max(x, lo), hi). */
import { ClipByValue, type ClipByValueAttrs, type TensorInfo } from '@tensorflow/tfjs';
import { UOP } from '../device/api';
import { assertNotComplex, kernel } from './_shared';

export const clipByValueConfig = kernel(ClipByValue, ({ inputs, attrs }, b) => {
  const { x } = inputs as { x: TensorInfo };
  const { clipValueMin, clipValueMax } = attrs as unknown as ClipByValueAttrs;
  assertNotComplex(ClipByValue, x);
  return b.unary(x, UOP.CLIP, x.dtype, clipValueMin, clipValueMax);
});
