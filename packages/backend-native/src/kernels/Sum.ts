/** Sum over `axis`: y = sum x (fp32 accumulation; exact int32 for int/bool inputs, which give int32). */
import { Sum, upcastType, type SumAttrs, type TensorInfo } from '@tensorflow/tfjs';
import { ROP } from '../device/api';
import { assertNotComplex, kernel } from './_shared';

export const sumConfig = kernel(Sum, ({ inputs, attrs }, b) => {
  const { x } = inputs as { x: TensorInfo };
  const { axis, keepDims } = attrs as unknown as SumAttrs;
  assertNotComplex(Sum, x);
  return b.reduce(x, axis, keepDims, ROP.SUM, upcastType(x.dtype, 'int32'), Sum);
});
