/** SplitV: consecutive slices along `axis`. */
import { SplitV, backend_util, util, type SplitVAttrs, type TensorInfo } from '@tensorflow/tfjs';
import { assertNotComplex, kernel } from './_shared';
import { sliceImpl } from './Slice';

export const splitVConfig = kernel(SplitV, ({ inputs, attrs }, b) => {
  const { x } = inputs as { x: TensorInfo };
  const { numOrSizeSplits, axis } = attrs as unknown as SplitVAttrs;
  assertNotComplex(SplitV, x);
  const ax = util.parseAxisParam(axis, x.shape)[0]!;
  const sizes = backend_util.prepareSplitSize(x as never, numOrSizeSplits, ax);
  const begin = new Array<number>(x.shape.length).fill(0);
  const size = x.shape.slice();
  return sizes.map((s) => {
    size[ax] = s;
    const t = sliceImpl(b, x, begin.slice(), size.slice());
    begin[ax]! += s;
    return t;
  });
});
