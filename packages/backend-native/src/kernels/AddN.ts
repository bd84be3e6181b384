/** AddN: y = sum_i x_i (same shapes), as a chain of binary adds. */
import { AddN, type TensorInfo } from '@tensorflow/tfjs';
import { BOP } from '../device/api';
import { assertNotComplex, kernel } from './_shared';

export const addNConfig = kernel(AddN, ({ inputs }, b) => {
  const xs = inputs as unknown as TensorInfo[];
  assertNotComplex(AddN, ...xs);
  if (xs.length === 1) return b.view(xs[0]!);
  let acc = b.binary(xs[0]!, xs[1]!, BOP.ADD, xs[0]!.dtype, AddN);
  for (let i = 2; i < xs.length; i++) {
    const next = b.binary(acc, xs[i]!, BOP.ADD, acc.dtype, AddN);
    b.disposeIntermediate(acc);
    acc = next;
  }
  return acc;
});
