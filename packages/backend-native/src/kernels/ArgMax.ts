/** ArgMax: y = the first index of the maximum along `axis` (int32). */
import { ArgMax, type ArgMaxAttrs, type TensorInfo } from '@tensorflow/tfjs';
import { ROP } from '../device/api';
import { assertNotComplex, kernel } from './_shared';

export const argMaxConfig = kernel(ArgMax, ({ inputs, attrs }, b) => {
  const { x } = inputs as { x: TensorInfo };
  const { axis } = attrs as unknown as ArgMaxAttrs;
  assertNotComplex(ArgMax, x);
  return b.reduce(x, axis, false, ROP.ARGMAX, 'int32', ArgMax);
});
