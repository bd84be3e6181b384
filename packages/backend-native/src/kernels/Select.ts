/**
 * Select: y = condition ? t : e. A rank-1 condition with a higher-rank t picks whole rows (tfjs semantics);
 * otherwise the condition broadcasts elementwise.
 */
import { Select, upcastType, type TensorInfo } from '@tensorflow/tfjs';
import { notImplemented } from '../backend';
import { broadcastStrides, packGeom } from '../geom';
import { assertNotComplex, kernel } from './_shared';

export const selectConfig = kernel(Select, ({ inputs }, b) => {
  const { condition, t, e } = inputs as { condition: TensorInfo; t: TensorInfo; e: TensorInfo };
  assertNotComplex(Select, condition, t, e);
  const dtype = upcastType(t.dtype, e.dtype);
  if (t.dtype !== e.dtype) throw notImplemented(Select, `t and e of different dtypes ${t.dtype}, ${e.dtype}`);
  const shape = t.shape;
  const rowSelect = condition.shape.length === 1 && shape.length > 1;
  const cStrides = rowSelect ? shape.map((_, i) => (i === 0 ? 1 : 0)) : broadcastStrides(condition.shape, shape);
  const out = b.makeOutput(shape, dtype);
  const geom = packGeom({ shape, strides: [cStrides, broadcastStrides(t.shape, shape), broadcastStrides(e.shape, shape)] }, [0, 0, 0], Select);
  b.device.select(b.ptr(condition), b.ptr(t), b.ptr(e), b.dt(out), b.ptr(out), geom);
  b.launched();
  return out;
});
