/**
 * GatherV2 (batchDims = 0): x viewed as [outer, axisDim, inner];
 *   y[o, j, i] = x[o, idx[j], i],  y.shape = x.shape[:axis] ++ idx.shape ++ x.shape[axis+1:].
 * An index outside [0, axisDim) gives 0 (tfjs-cpu throws instead).
 */
import { GatherV2, util, type GatherV2Attrs, type TensorInfo } from '@tensorflow/tfjs';
import { notImplemented } from '../backend';
import { sizeOf } from '../geom';
import { assertNotComplex, kernel } from './_shared';

export const gatherV2Config = kernel(GatherV2, ({ inputs, attrs }, b) => {
  const { x, indices } = inputs as { x: TensorInfo; indices: TensorInfo };
  const { axis, batchDims } = attrs as unknown as GatherV2Attrs;
  assertNotComplex(GatherV2, x, indices);
  if (batchDims) throw notImplemented(GatherV2, `batchDims ${batchDims}`);
  if (indices.dtype !== 'int32') throw notImplemented(GatherV2, `indices of dtype ${indices.dtype}`);
  const ax = util.parseAxisParam(axis, x.shape)[0]!;
  const outer = sizeOf(x.shape.slice(0, ax)), axisDim = x.shape[ax]!, inner = sizeOf(x.shape.slice(ax + 1));
  const nIdx = sizeOf(indices.shape);
  const outShape = [...x.shape.slice(0, ax), ...indices.shape, ...x.shape.slice(ax + 1)];
  const out = b.makeOutput(outShape, x.dtype);
  b.device.gather(b.ptr(x), b.dt(x), b.ptr(indices), b.ptr(out), outer, axisDim, inner, nIdx);
  b.launched();
  return out;
});
