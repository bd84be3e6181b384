/**
 * Multinomial: for each row of logits [batch, classes], numSamples draws j ~ softmax(logits)_j (or ~ p_j when
 * normalized), Philox uniforms keyed by the seed (the same seed gives the same draws, as in tfjs-cpu; the draws
 * themselves differ from tfjs-cpu's seedrandom stream).
 */
import { Multinomial, type MultinomialAttrs, type TensorInfo } from '@tensorflow/tfjs';
import { notImplemented } from '../backend';
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

/** A tfjs seed (any number, often Math.random()) as a non-negative integer below 2^53, the Philox key. */
export function seedToInt(seed: number | undefined): number {
  if (seed === undefined || !Number.isFinite(seed)) return 0x5eed;
  const s = Math.abs(seed);
  if (Number.isInteger(s) && s < 2 ** 53) return s;
  if (s < 1) return Math.floor(s * 2 ** 52); // Math.random(): keep 52 bits of the fraction
  return Math.floor(s % 2 ** 53);
}
