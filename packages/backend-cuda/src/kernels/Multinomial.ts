/**
 * Multinomial: for each row of logits [batch, classes], numSamples draws j ~ softmax(logits)_j (or ~ p_j when
 * normalized), Philox uniforms keyed by the seed (the same seed gives the same draws, as in tfjs-cpu).
 */
import { Multinomial, type MultinomialAttrs, type TensorInfo } from '@tensorflow/tfjs';
import { notImplemented } from '../backend';
import { seedToInt } from '../rng';
import { assertNotComplex, kernel } from './_shared';

export const multinomialConfig = kernel(Multinomial, ({ inputs, attrs }, b) => {
  const { logits } = inputs as { logits: TensorInfo };
  const { numSamples, seed, normalized } = attrs as unknown as MultinomialAttrs;
  assertNotComplex(Multinomial, logits);
  if (logits.dtype !== 'float32') throw notImplemented(Multinomial, `logits of dtype ${logits.dtype}`);
  const batch = logits.shape.length === 1 ? 1 : logits.shape[0]!;
  const classes = logits.shape[logits.shape.length - 1]!;
  const outShape = logits.shape.length === 1 ? [numSamples] : [batch, numSamples];
  const out = b.makeOutput(outShape, 'int32');
  b.device.multinomial(b.ptr(logits), b.dt(logits), b.ptr(out), batch, classes, numSamples, seedToInt(seed), !!normalized);
  b.launched();
  return out;
});
