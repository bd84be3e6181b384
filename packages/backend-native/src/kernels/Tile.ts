/** Tile: y[c] = x[c mod x.shape] (one strided copy; axes of size 1 broadcast with stride 0). */
import { Tile, type TensorInfo, type TileAttrs } from '@tensorflow/tfjs';
import { contiguousStrides } from '../geom';
import { assertNotComplex, kernel } from './_shared';

export const tileConfig = kernel(Tile, ({ inputs, attrs }, b) => {
  const { x } = inputs as { x: TensorInfo };
  const { reps } = attrs as unknown as TileAttrs;
  assertNotComplex(Tile, x);
  const outShape = x.shape.map((d, i) => d * reps[i]!);
  const xs = contiguousStrides(x.shape);
  const strides = x.shape.map((d, i) => (d === 1 ? 0 : xs[i]!));
  const mod = x.shape.map((d, i) => (d === 1 || reps[i] === 1 ? 0 : d));
  const out = b.makeOutput(outShape, x.dtype);
  b.stridedCopy(x, out, outShape, strides, 0, contiguousStrides(outShape), 0, Tile, mod);
  return out;
});
