/** Fill: y = value with the given shape and dtype. */
import { Fill, type FillAttrs } from '@tensorflow/tfjs';
import { notImplemented } from '../backend';
import { kernel } from './_shared';

export const fillConfig = kernel(Fill, ({ attrs }, b) => {
  const { shape, value, dtype } = attrs as unknown as FillAttrs;
  if (typeof value !== 'number') throw notImplemented(Fill, `a ${typeof value} value`);
  return b.fill(shape, dtype ?? 'float32', value);
});
