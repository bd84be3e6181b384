// The native backend on the cpu device against tfjs-backend-cpu: op-by-op parity (fp32, bf16 storage, the BLAS
// and the built-in GEMM), refcounts, memory accounting, out of memory, sampling and the error paths.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bfloat16BitsToFloat32, float32ToBfloat16Bits } from '@softcot/model';
import { DeviceOutOfMemoryError, isNativeAvailable, NativeBackend, registerNativeBackend } from '../src/index';
import { describeNative } from './native-env';

const FP32 = 'native-cpu';
const BF16 = 'native-cpu-bf16';
const BUILTIN = 'native-cpu-builtin-gemm';

/** float32 values rounded to bf16 (what bf16 storage gives back). */
const roundBf16 = (xs: number[]): number[] => Array.from(bfloat16BitsToFloat32(float32ToBfloat16Bits(Float32Array.from(xs))));

beforeAll(async () => {
  if (!isNativeAvailable('cpu').ok) return;
  registerNativeBackend({ device: 'cpu' });
  registerNativeBackend({ device: 'cpu', name: BF16, precision: 'bf16' });
  registerNativeBackend({ device: 'cpu', name: BUILTIN, forceBuiltinMatmul: true });
  await tf.setBackend('cpu');
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

/** Run f on `backend` with fresh inputs and return plain arrays. */
async function on(backend: string, f: () => tf.Tensor | tf.Tensor[]): Promise<{ shape: number[]; dtype: string; values: number[] }[]> {
  await tf.setBackend(backend);
  const out = tf.tidy(f);
  const list = Array.isArray(out) ? out : [out];
  const res = list.map((t) => ({ shape: t.shape, dtype: t.dtype, values: Array.from(t.dataSync()) }));
  tf.dispose(list);
  return res;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}
const rnd = (shape: number[], seed = 1, scale = 1) => {
  const r = lcg(seed);
  return tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r() * scale), shape);
};

async function parity(name: string, f: () => tf.Tensor | tf.Tensor[], tol = 1e-5, backend = FP32) {
  const want = await on('cpu', f);
  const got = await on(backend, f);
  expect(got.length, name).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    expect(got[i]!.shape, `${name}[${i}] shape`).toEqual(want[i]!.shape);
    expect(got[i]!.dtype, `${name}[${i}] dtype`).toBe(want[i]!.dtype);
    const w = want[i]!.values, g = got[i]!.values;
    for (let j = 0; j < w.length; j++) {
      const ok = (Number.isNaN(w[j]!) && Number.isNaN(g[j]!)) || Math.abs(w[j]! - g[j]!) <= tol * (1 + Math.abs(w[j]!));
      if (!ok) expect.fail(`${name}[${i}] element ${j}: ${backend} ${g[j]} vs cpu ${w[j]}`);
    }
  }
}

describeNative('op parity with tfjs-backend-cpu (native-cpu, fp32)', () => {
  const a = () => rnd([2, 3, 4], 1);
  const b = () => rnd([3, 1], 2);
  const pos = () => rnd([2, 3, 4], 3).abs().add(0.1);
  it('binary ops with broadcasting', async () => {
    await parity('add', () => a().add(b()));
    await parity('sub', () => a().sub(b()));
    await parity('mul', () => a().mul(b()));
    await parity('div', () => a().div(b()));
    await parity('pow', () => pos().pow(rnd([4], 5)));
    await parity('maximum', () => tf.maximum(a(), b()));
    await parity('minimum', () => tf.minimum(a(), b()));
    await parity('greater', () => tf.greater(a(), b()));
    await parity('greaterEqual', () => tf.greaterEqual(a(), b()));
    await parity('lessEqual', () => tf.lessEqual(a(), b()));
    await parity('less/equal/notEqual', () => [tf.less(a(), b()), tf.equal(a(), a()), tf.notEqual(a(), b())]);
    await parity('logicalAnd/Or/Not', () => [tf.logicalAnd(tf.greater(a(), 0), tf.less(b(), 0)), tf.logicalOr(tf.greater(a(), 0), tf.less(b(), 0)), tf.logicalNot(tf.greater(a(), 0))]);
    await parity('int add/mul', () => [tf.add(tf.tensor1d([1, 2, 3], 'int32'), tf.scalar(5, 'int32')), tf.mul(tf.tensor1d([7, -2, 3], 'int32'), tf.tensor1d([3, 3, 3], 'int32'))]);
    await parity('addN', () => tf.addN([a(), a().mul(2), a().mul(3)]));
  });
  it('unary ops and casts', async () => {
    await parity('exp', () => a().exp());
    await parity('log', () => pos().log());
    await parity('sqrt', () => pos().sqrt());
    await parity('rsqrt', () => pos().rsqrt());
    await parity('sigmoid', () => a().sigmoid());
    await parity('neg/square/abs', () => [a().neg(), a().square(), a().abs()]);
    await parity('tanh/relu/floor', () => [a().tanh(), a().relu(), a().mul(3).floor()]);
    await parity('clip', () => a().clipByValue(-0.3, 0.4));
    await parity('cast', () => [a().mul(5).cast('int32'), tf.greater(a(), 0).cast('float32'), a().cast('bool'), tf.tensor1d([0, 3, -1], 'int32').cast('bool')]);
    await parity('zerosLike/onesLike/fill', () => [tf.zerosLike(a()), tf.onesLike(a()), tf.fill([2, 2], 7)]);
  });
  it('reductions and softmax', async () => {
    const x = () => rnd([3, 4, 5], 7);
    await parity('sum all/axis/keepDims', () => [x().sum(), x().sum(1), x().sum([0, 2], true)]);
    await parity('mean', () => [x().mean(), x().mean(-1), x().mean(0, true)]);
    await parity('max/min', () => [x().max(), x().max(1), x().min(2, true)]);
    await parity('argMax', () => [x().argMax(), x().argMax(1), x().argMax(-1)]);
    await parity('int sum', () => tf.tensor2d([[1, 2], [3, 4]], undefined, 'int32').sum(0));
    await parity('softmax', () => x().mul(4).softmax());
    await parity('logSoftmax', () => x().logSoftmax());
  });
  it('shape ops', async () => {
    const x = () => rnd([2, 3, 4], 9);
    await parity('transpose', () => [x().transpose([2, 0, 1]), x().transpose([1, 0, 2])]);
    await parity('reshape', () => x().reshape([6, 4]));
    await parity('slice', () => [x().slice([1, 0, 1], [1, 2, 3]), x().slice([0, 1, 0], [-1, 1, -1])]);
    await parity('split', () => tf.split(x(), [1, 3], 2));
    await parity('concat', () => [tf.concat([x(), x().mul(2)], 1), tf.concat([x(), x()], 0), tf.concat([x(), x(), x()], -1)]);
    await parity('stack/unstack', () => [tf.stack([x(), x()], 1), ...tf.unstack(x(), 1)]);
    await parity('pad', () => tf.pad(x(), [[1, 0], [0, 2], [1, 1]], 0.5));
    await parity('tile', () => [tf.tile(x(), [2, 1, 3]), tf.tile(rnd([1, 3]), [4, 2])]);
    await parity('broadcastTo', () => tf.broadcastTo(rnd([3, 1]), [2, 3, 4]));
    await parity('range', () => [tf.range(0, 10, 3), tf.range(5, 0, -1, 'int32')]);
    await parity('gather', () => [tf.gather(x(), tf.tensor1d([2, 0, 2], 'int32'), 1), tf.gather(rnd([10, 4]), tf.tensor2d([[1, 9], [3, 3]], undefined, 'int32'))]);
    await parity('where', () => [tf.where(tf.greater(x(), 0), x(), x().neg()), tf.where(tf.greater(rnd([3, 1], 4), 0), x(), x().mul(2))]);
    await parity('step', () => tf.step(x(), 0.25));
    await parity('gather batchDims 1', () => tf.gather(x(), tf.tensor2d([[2, 0], [1, 1]], undefined, 'int32'), 1, 1));
    await parity('int matmul', () => tf.matMul(tf.tensor2d([[1, 2], [3, -4]], undefined, 'int32'), tf.tensor2d([[5, 6], [7, 8]], undefined, 'int32')));
    await parity('floorDiv', () => [tf.floorDiv(tf.tensor1d([7, -7, 7, -7, 5], 'int32'), tf.tensor1d([2, 2, -2, -2, 0], 'int32')), tf.floorDiv(x(), 0.3)]);
    await parity('topk', () => { const r = tf.topk(rnd([3, 10], 11), 4); return [r.values, r.indices]; });
    await parity('unsortedSegmentSum', () => tf.unsortedSegmentSum(rnd([6, 3]), tf.tensor1d([0, 2, 0, 1, 2, 2], 'int32'), 4));
  });
  it('matmul (transposes, batch broadcasting)', async () => {
    await parity('matMul', () => tf.matMul(rnd([5, 7], 1), rnd([7, 3], 2)), 1e-5);
    await parity('matMul tA tB', () => tf.matMul(rnd([7, 5], 1), rnd([3, 7], 2), true, true), 1e-5);
    await parity('batch', () => tf.matMul(rnd([4, 5, 7], 1), rnd([4, 7, 3], 2)), 1e-5);
    await parity('broadcast B', () => tf.matMul(rnd([2, 4, 5, 7], 1), rnd([7, 3], 2)), 1e-5);
    await parity('broadcast A', () => tf.matMul(rnd([5, 7], 1), rnd([4, 7, 3], 2), false, false), 1e-5);
    // numpy batch broadcasting ([2,1] x [1,3] -> [2,3]); tfjs-cpu's kernel pairs batches modulo instead, so the
    // reference broadcasts explicitly first.
    const wantBoth = await on('cpu', () => tf.matMul(tf.broadcastTo(rnd([2, 1, 5, 7], 1), [2, 3, 5, 7]), tf.broadcastTo(rnd([1, 3, 7, 4], 2), [2, 3, 7, 4])));
    const gotBoth = await on(FP32, () => tf.matMul(rnd([2, 1, 5, 7], 1), rnd([1, 3, 7, 4], 2)));
    expect(gotBoth[0]!.shape).toEqual([2, 3, 5, 4]);
    gotBoth[0]!.values.forEach((v, j) => expect(v).toBeCloseTo(wantBoth[0]!.values[j]!, 4));
    await parity('broadcast B, tA', () => tf.matMul(rnd([4, 7, 5], 1), rnd([7, 3], 2), true, false), 1e-5);
  });
  it('matmul on the built-in GEMM (every transpose, edge tiles, a batch)', async () => {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const a = () => (ta ? rnd([3, 300, 67], 1) : rnd([3, 67, 300], 1));
      const b = () => (tb ? rnd([3, 45, 300], 2) : rnd([3, 300, 45], 2));
      await parity(`builtin tA=${ta} tB=${tb}`, () => tf.matMul(a(), b(), ta, tb), 1e-4, BUILTIN);
    }
    const be = tf.engine().findBackend(BUILTIN) as NativeBackend;
    expect(be.counters.matmulBuiltin).toBeGreaterThan(0);
    expect(be.counters.matmulLibrary).toBe(0);
  });
  it('gradients through a small attention-like block (variableGrads)', async () => {
    const f = () => {
      const x = rnd([2, 4, 8], 21);
      const w = tf.variable(rnd([8, 8], 22, 0.3));
      const emb = tf.variable(rnd([10, 8], 23));
      const ids = tf.tensor2d([[1, 2, 3, 4], [4, 3, 9, 0]], undefined, 'int32');
      const { value, grads } = tf.variableGrads(() => {
        const h = x.add(tf.gather(emb, ids));
        const q = tf.matMul(h.reshape([8, 8]), w).reshape([2, 4, 8]); // tfjs has no gradient for a broadcast matMul
        const s = tf.matMul(q, h, false, true).div(Math.sqrt(8));
        const p = tf.softmax(s);
        const o = tf.matMul(p, h).sigmoid().mul(h.abs().add(0.5).rsqrt().add(1).log());
        const [o1, o2] = tf.split(o, 2, 2);
        return tf.concat([o1!.square(), o2!.maximum(0.1)], -1).mean();
      }, [w, emb]);
      const out = [value, grads[w.name]!, grads[emb.name]!];
      w.dispose();
      emb.dispose();
      return out;
    };
    await parity('grads', f, 2e-4);
  });
});

describeNative('refcount-only kernels', () => {
  it('Identity, Reshape and same-dtype Cast allocate nothing and launch nothing', async () => {
    await tf.setBackend(FP32);
    const be = tf.backend() as NativeBackend;
    const x = tf.tensor([1, 2, 3, 4], [2, 2]);
    const live0 = be.allocator.stats().liveBlocks;
    const launches0 = be.counters.launches;
    const y = tf.clone(x);
    const z = x.reshape([4]);
    const w = x.cast('float32');
    expect(be.allocator.stats().liveBlocks).toBe(live0);
    expect(be.counters.launches).toBe(launches0);
    expect(be.refCount(x.dataId)).toBe(4);
    x.dispose();
    y.dispose();
    z.dispose();
    expect(be.refCount(w.dataId)).toBe(1);
    expect(Array.from(w.dataSync())).toEqual([1, 2, 3, 4]);
    w.dispose();
    expect(be.allocator.stats().liveBlocks).toBe(live0 - 1);
    await tf.setBackend('cpu');
  });
});

describeNative('memory accounting', () => {
  it('tf.memory() and the allocator return to the baseline after tidy/dispose', async () => {
    await tf.setBackend(FP32);
    const be = tf.backend() as NativeBackend;
    const m0 = tf.memory() as tf.MemoryInfo & { numBytesInGPU: number };
    const ids0 = be.numDataIds();
    const kept = tf.tidy(() => {
      const a = tf.randomUniform([64, 64]);
      const b = tf.matMul(a, a).softmax().sum(1);
      return b.add(1);
    });
    const m1 = tf.memory() as tf.MemoryInfo & { numBytesInGPU: number };
    expect(m1.numTensors).toBe(m0.numTensors + 1);
    expect(m1.numBytesInGPU).toBe(m0.numBytesInGPU + 512); // 64 floats in one 512-byte class
    kept.dispose();
    const m2 = tf.memory() as tf.MemoryInfo & { numBytesInGPU: number; numBytesInGPUFree: number };
    expect(m2.numTensors).toBe(m0.numTensors);
    expect(m2.numBytes).toBe(m0.numBytes);
    expect(m2.numBytesInGPU).toBe(m0.numBytesInGPU);
    expect(m2.numBytesInGPUFree).toBeGreaterThan(0); // cached for reuse
    expect(be.numDataIds()).toBe(ids0);
    expect(m2.unreliable).toBe(false);
    await tf.setBackend('cpu');
  });

  it('an allocation past the memory the machine has throws a clear error with the sizes, and the backend goes on', async () => {
    await tf.setBackend(FP32);
    const n = 2 ** 38; // 1 TiB of float32
    expect(() => tf.fill([n], 1)).toThrow(DeviceOutOfMemoryError);
    expect(() => tf.fill([n], 1)).toThrow(/^cpu out of memory: requested 1099511627776 bytes \(1024\.00 GiB\), device free \d+ bytes/);
    expect(Array.from(tf.tensor([1, 2]).add(1).dataSync())).toEqual([2, 3]);
    await tf.setBackend('cpu');
  });
});

describeNative('precision policy bf16', () => {
  it('stores float32 tensors as bf16: dataSync returns bf16-rounded float32 values', async () => {
    const vals = [1.0001, 3.14159, -2.71828, 1e-3];
    const [r] = await on(BF16, () => tf.tensor(vals));
    expect(r!.dtype).toBe('float32');
    expect(r!.values).toEqual(roundBf16(vals));
    expect(roundBf16(vals)).not.toEqual(vals.map(Math.fround)); // the rounding is visible
    const be = tf.engine().findBackend(BF16) as NativeBackend;
    expect(be.memory()).toMatchObject({ precision: 'bf16' });
  });
  it('matmul / softmax / sums agree with fp32 within bf16 tolerance', async () => {
    await parity('bf16 matmul', () => tf.matMul(rnd([8, 32], 1), rnd([32, 8], 2)), 2e-2, BF16);
    await parity('bf16 softmax', () => rnd([4, 50], 3).mul(3).softmax(), 2e-2, BF16);
    await parity('bf16 mean', () => rnd([4, 50], 3).mean(1), 2e-2, BF16);
    await parity('bf16 segsum', () => tf.unsortedSegmentSum(rnd([6, 3]), tf.tensor1d([0, 2, 0, 1, 2, 2], 'int32'), 4), 2e-2, BF16);
    await parity('bf16 gradients', () => {
      const w = tf.variable(rnd([16, 8], 5, 0.3));
      const { value, grads } = tf.variableGrads(() => tf.matMul(rnd([4, 16], 6), w).softmax().square().mean(), [w]);
      const out = [value, grads[w.name]!];
      w.dispose();
      return out;
    }, 3e-2, BF16);
  });
});

describeNative('sampling', () => {
  it('Multinomial: same seed, same draws; frequencies follow the probabilities', async () => {
    await tf.setBackend(FP32);
    const logits = tf.log(tf.tensor2d([[0.1, 0.6, 0.3], [0.5, 0, 0.5]]));
    const a = tf.multinomial(logits as tf.Tensor2D, 2000, 42).arraySync() as number[][];
    const b = tf.multinomial(logits as tf.Tensor2D, 2000, 42).arraySync() as number[][];
    expect(a).toEqual(b);
    const freq = [0, 1, 2].map((j) => a[0]!.filter((v) => v === j).length / 2000);
    expect(freq[0]).toBeCloseTo(0.1, 1);
    expect(freq[1]).toBeCloseTo(0.6, 1);
    expect(a[1]!.includes(1)).toBe(false); // zero probability never drawn
    await tf.setBackend('cpu');
  });
  it('Multinomial: the same seed gives the same draws, another seed others (Philox keyed by (row, sample))', async () => {
    await tf.setBackend(FP32);
    const logits = rnd([7, 1000], 3, 4) as tf.Tensor2D;
    const a = tf.multinomial(logits, 16, 7).arraySync();
    const b = tf.multinomial(logits, 16, 7).arraySync();
    const c = tf.multinomial(logits, 16, 8).arraySync();
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    await tf.setBackend('cpu');
  });
});

describeNative('errors', () => {
  it('unsupported cases say "not implemented in the native backend: <Kernel> with <case>"', async () => {
    await tf.setBackend(FP32);
    const rank7 = tf.ones([2, 2, 2, 2, 2, 2, 2]);
    expect(() => tf.transpose(rank7, [6, 5, 4, 3, 2, 1, 0])).toThrow(/not implemented in the native backend: Transpose with rank 7 > 6 after collapsing axes/);
    expect(() => tf.fill([2], 'a' as never, 'string')).toThrow(/not implemented in the native backend: Fill with a string value/);
    await tf.setBackend('cpu');
  });
  it("the cuda device on this machine without a GPU: \"cuda backend unavailable: ...\", never a crash", () => {
    const av = isNativeAvailable('cuda');
    if (av.ok) return; // a GPU machine
    expect(av.reason).toMatch(/^cuda backend unavailable: .+/);
    expect(() => registerNativeBackend({ device: 'cuda', name: 'cuda-probe' })).toThrow(/^cuda backend unavailable: /);
  });
});
