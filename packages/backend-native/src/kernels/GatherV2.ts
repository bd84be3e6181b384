/**
 * GatherV2: with batchDims = b, x viewed as [batch, outer, axisDim, inner] and indices as [batch, nIdx];
 *   y[n, o, j, i] = x[n, o, idx[n, j], i],  y.shape = x.shape[:axis] ++ indices.shape[b:] ++ x.shape[axis+1:].
 * One device launch per batch (one in all for batchDims = 0, the model's case), each at byte offsets into x, the
 * indices and y. An index outside [0, axisDim) gives 0 (tfjs-cpu throws instead: checking would read the indices
 * back from the device).
 */
import { GatherV2, backend_util, util, type GatherV2Attrs, type TensorInfo } from '@tensorflow/tfjs';
import { notImplemented } from '../backend';
import { dtBytes } from '../device/api';
import { sizeOf } from '../geom';
import { assertNotComplex, kernel } from './_shared';

export const gatherV2Config = kernel(GatherV2, ({ inputs, attrs }, b) => {
  const { x, indices } = inputs as { x: TensorInfo; indices: TensorInfo };
  const { axis, batchDims = 0 } = attrs as unknown as GatherV2Attrs;
  assertNotComplex(GatherV2, x, indices);
  if (indices.dtype !== 'int32') throw notImplemented(GatherV2, `indices of dtype ${indices.dtype}`);
  const ax = util.parseAxisParam(axis, x.shape)[0]!;
  const info = backend_util.segment_util.collectGatherOpShapeInfo(x as never, indices as never, ax, batchDims);
  const out = b.makeOutput(info.outputShape, x.dtype);
  const nIdx = sizeOf(indices.shape) / info.batchSize;
  const xBytes = dtBytes(b.dt(x)), yBytes = dtBytes(b.dt(out));
  for (let n = 0; n < info.batchSize; n++) {
    b.device.gather(b.ptr(x) + n * info.outerSize * info.dimSize * info.sliceSize * xBytes, b.dt(x),
      b.ptr(indices) + n * nIdx * 4, b.ptr(out) + n * info.outerSize * nIdx * info.sliceSize * yBytes,
      info.outerSize, info.dimSize, info.sliceSize, nIdx);
    b.launched();
  }
  return out;
});
