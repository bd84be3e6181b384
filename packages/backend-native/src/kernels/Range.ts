/** Range: start, start + step, ... (< stop): computed on the host and uploaded (it is small). */
import { Range, type RangeAttrs } from '@tensorflow/tfjs';
import { kernel } from './_shared';

export const rangeConfig = kernel(Range, ({ attrs }, b) => {
  const { start, stop, step, dtype } = attrs as unknown as RangeAttrs;
  const n = start === stop || step === 0 || Math.sign(stop - start) !== Math.sign(step) ? 0 : Math.ceil(Math.abs((stop - start) / step));
  const values = dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = start + i * step;
  return b.makeTensorInfo([n], dtype, values);
});
