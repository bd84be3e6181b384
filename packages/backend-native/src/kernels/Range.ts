/**
 * Range: start, start + step, ... toward stop: computed on the host and uploaded (it is small).
 * The length and the step follow tfjs-backend-cpu's rangeImpl, quirk included: a decreasing range with the
 * default step 1 counts down by 1, and one with a step > 1 is empty.
 */
import { Range, type RangeAttrs } from '@tensorflow/tfjs';
import { kernel } from './_shared';

export const rangeConfig = kernel(Range, ({ attrs }, b) => {
  const { start, stop, dtype } = attrs as unknown as RangeAttrs;
  let { step } = attrs as unknown as RangeAttrs;
  const empty = start === stop || (start < stop && step < 0) || (stop < start && step > 1);
  const n = empty ? 0 : Math.abs(Math.ceil((stop - start) / step));
  if (stop < start && step === 1) step = -1;
  const values = dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = start + i * step;
  return b.makeTensorInfo([n], dtype, values);
});
