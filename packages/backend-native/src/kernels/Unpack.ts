/** Unpack (tf.unstack): one slice per index along `axis`, with that axis dropped. */
import { Unpack, type TensorInfo, type UnpackAttrs } from '@tensorflow/tfjs';
import { assertNotComplex, kernel } from './_shared';
import { sliceImpl } from './Slice';

export const unpackConfig = kernel(Unpack, ({ inputs, attrs }, b) => {
  const { value } = inputs as { value: TensorInfo };
  const { axis } = attrs as unknown as UnpackAttrs;
  assertNotComplex(Unpack, value);
  const ax = axis < 0 ? axis + value.shape.length : axis;
  const n = value.shape[ax]!;
  const outShape = value.shape.filter((_, i) => i !== ax);
  const size = value.shape.slice();
  size[ax] = 1;
  const res: TensorInfo[] = [];
  for (let i = 0; i < n; i++) {
    const begin = value.shape.map((_, d) => (d === ax ? i : 0));
    const s = sliceImpl(b, value, begin, size);
    res.push({ ...s, shape: outShape });
  }
  return res;
});
