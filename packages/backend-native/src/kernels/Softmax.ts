/** Softmax over the last axis: y = e^(x - max x) / sum e^(x - max x), fp32 inside (online max/sum). */
import { Softmax, type SoftmaxAttrs, type TensorInfo } from '@tensorflow/tfjs';
import { notImplemented } from '../backend';
import { sizeOf } from '../geom';
import { assertNotComplex, kernel } from './_shared';

export const softmaxConfig = kernel(Softmax, ({ inputs, attrs }, b) => {
  const { logits } = inputs as { logits: TensorInfo };
  const { dim } = attrs as unknown as SoftmaxAttrs;
  assertNotComplex(Softmax, logits);
  const rank = logits.shape.length;
  const d = dim < 0 ? dim + rank : dim;
  if (d !== rank - 1) throw notImplemented(Softmax, `dim ${dim} (only the last axis)`);
  if (logits.dtype !== 'float32') throw notImplemented(Softmax, `dtype ${logits.dtype}`);
  const cols = logits.shape[rank - 1] ?? 1;
  const rows = cols === 0 ? 0 : sizeOf(logits.shape) / cols;
  const out = b.makeOutput(logits.shape, 'float32');
  b.device.softmax(b.ptr(logits), b.ptr(out), b.dt(out), rows, cols);
  b.launched();
  return out;
});
