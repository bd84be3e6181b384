/** Step: y = x > 0 ? 1 : alpha (NaN stays NaN); the gradient of Abs and Relu. */
import { Step, type StepAttrs, type TensorInfo } from '@tensorflow/tfjs';
import { UOP } from '../device/api';
import { assertNotComplex, kernel } from './_shared';

export const stepConfig = kernel(Step, ({ inputs, attrs }, b) => {
  const { x } = inputs as { x: TensorInfo };
  const { alpha } = attrs as unknown as StepAttrs;
  assertNotComplex(Step, x);
  return b.unary(x, UOP.STEP, x.dtype, alpha ?? 0, 0);
});
