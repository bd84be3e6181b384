/**
 * BatchMatMul: C[..., m, n] = op(A)[..., m, k] op(B)[..., k, n], op = transpose when transposeA/B.
 * Leading (batch) axes broadcast. Runs as one strided-batched device GEMM (cpu: BLAS tiles on the thread pool, or
 * the built-in GEMM; cuda: cuBLASLt COMPUTE_32F, or COMPUTE_32F_FAST_TF32 when allowTf32; bf16 storage: bf16
 * inputs, fp32 accumulation, bf16 output):
 * - equal batches: strided batch;
 * - B shared by every batch of A and A not transposed: folded into one GEMM with m' = batch * m;
 * - any other broadcast: the broadcast operand is materialised first (a strided copy), so the GEMM never
 *   sees a zero batch stride.
 */
import { BatchMatMul, type BatchMatMulAttrs, type TensorInfo } from '@tensorflow/tfjs';
import { notImplemented, type NativeBackend } from '../backend';
import { broadcastShape, broadcastStrides, contiguousStrides, sizeOf } from '../geom';
import { assertNotComplex, kernel } from './_shared';

export const batchMatMulConfig = kernel(BatchMatMul, ({ inputs, attrs }, b) => {
  const { a, b: bb } = inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
  assertNotComplex(BatchMatMul, a, bb);
  if (a.dtype === 'int32' && bb.dtype === 'int32') {
    // int32 x int32 (tfjs keeps int32): products in fp32, exact while the sums stay below 2^24
    const af = b.cast(a, 'float32'), bf = b.cast(bb, 'float32');
    const cf = matmulFloat(b, af, bf, transposeA, transposeB);
    const out = b.cast(cf, 'int32');
    for (const t of [af, bf, cf]) b.disposeIntermediate(t);
    return out;
  }
  if (a.dtype !== 'float32' || bb.dtype !== 'float32') throw notImplemented(BatchMatMul, `dtypes ${a.dtype} x ${bb.dtype}`);
  return matmulFloat(b, a, bb, transposeA, transposeB);
});

function matmulFloat(b: NativeBackend, a: TensorInfo, bb: TensorInfo, transposeA: boolean, transposeB: boolean): TensorInfo {
  const ra = a.shape.length, rb = bb.shape.length;
  if (ra < 2 || rb < 2) throw notImplemented(BatchMatMul, `ranks ${ra} and ${rb} (< 2)`);
  const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const kA = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const kB = transposeB ? bb.shape[rb - 1]! : bb.shape[rb - 2]!;
  const n = transposeB ? bb.shape[rb - 2]! : bb.shape[rb - 1]!;
  if (kA !== kB) throw new Error(`BatchMatMul: inner dimensions ${kA} and ${kB} of [${a.shape}] and [${bb.shape}] differ (transposeA=${transposeA}, transposeB=${transposeB})`);
  const k = kA;
  const outerA = a.shape.slice(0, -2), outerB = bb.shape.slice(0, -2);
  const outer = broadcastShape(outerA, outerB);
  const batch = sizeOf(outer), batchA = sizeOf(outerA), batchB = sizeOf(outerB);
  const out = b.makeOutput([...outer, m, n], 'float32');
  if (batch * m * n === 0) return out;

  const temps: TensorInfo[] = [];
  // Materialise a broadcast operand to the full batch.
  const expand = (x: TensorInfo, xOuter: number[]): TensorInfo => {
    const inner = x.shape.slice(-2);
    const full = [...outer, ...inner];
    const y = b.makeOutput(full, x.dtype);
    const st = broadcastStrides([...xOuter.map((d) => d), ...inner], full);
    b.stridedCopy(x, y, full, st, 0, contiguousStrides(full), 0, BatchMatMul);
    temps.push(y);
    return y;
  };
  let A = a, B = bb, M = m, nb = batch, sA = m * k, sB = k * n;
  if (batchA === batch && batchB === batch) {
    // plain strided batch
  } else if (batchB === 1 && !transposeA) {
    M = batch * m; nb = 1; sA = 0; sB = 0; // [batch*m, k] @ [k, n]
    if (batchA !== batch) A = expand(a, outerA);
  } else {
    if (batchA !== batch) A = expand(a, outerA);
    if (batchB !== batch) B = expand(bb, outerB);
  }
  const used = b.device.matmul(b.ptr(A), b.ptr(B), b.ptr(out), b.dt(out), nb, M, n, k, transposeA, transposeB,
    sA, sB, M * n, b.allowTf32 && b.precision === 'fp32', b.forceBuiltinMatmul);
  b.matmulCalled(used);
  for (const t of temps) b.disposeIntermediate(t);
  return out;
}
