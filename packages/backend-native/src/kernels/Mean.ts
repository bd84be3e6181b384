/** Mean over `axis`: y = (sum x) / n in fp32 (float32 result for any input dtype). */
import { Mean, type MeanAttrs, type TensorInfo } from '@tensorflow/tfjs';
import { ROP } from '../device/api';
import { assertNotComplex, kernel } from './_shared';

export const meanConfig = kernel(Mean, ({ inputs, attrs }, b) => {
  const { x } = inputs as { x: TensorInfo };
  const { axis, keepDims } = attrs as unknown as MeanAttrs;
  assertNotComplex(Mean, x);
  if (x.dtype === 'float32') return b.reduce(x, axis, keepDims, ROP.MEAN, 'float32', Mean);
  const xf = b.cast(x, 'float32');
  const out = b.reduce(xf, axis, keepDims, ROP.MEAN, 'float32', Mean);
  b.disposeIntermediate(xf);
  return out;
});
