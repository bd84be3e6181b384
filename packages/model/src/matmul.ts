// Matrix products for the model. tfjs-backend-wasm runs a transposed operand ~10x slower than a plain one
// (measured: [2304,64]x[192,64]^T at 1.2 GFLOP/s against 14 GFLOP/s untransposed), and autograd turns
// every forward product into two transposed ones. With explicit transposes on, products are computed as
// plain a·b after materialising the transposed operand, in the forward and the backward pass; the copy
// costs O(size) against the product's O(size·k).
import * as tf from '@tensorflow/tfjs';

let explicitTranspose = false;

/** Chosen per backend by useBackend(): on for wasm, off elsewhere (cuBLAS/cpu handle transposes natively). */
export function setExplicitTranspose(on: boolean): void {
  explicitTranspose = on;
}

function swapLastTwo(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1]!, perm[r - 2]!];
  return tf.transpose(x, perm);
}

// a·b with gradients da = dy·bᵀ and db = aᵀ·dy, each computed with materialised transposes.
const plainProduct = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor, tf.Tensor];
      return [tf.matMul(dy, swapLastTwo(sb)), tf.matMul(swapLastTwo(sa), dy)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/**
 * Below this many output rows the product is too small to repay a copy of the transposed operand (a decode
 * step of a 0.5B model would copy every weight matrix to multiply it by one row).
 */
const MIN_ROWS_FOR_EXPLICIT = 16;

/** op(a)·op(b) for operands of equal rank and batch shape (what the model uses). */
export function matMul<T extends tf.Tensor>(a: tf.Tensor, b: tf.Tensor, transposeA = false, transposeB = false): T {
  const sameBatch = a.rank === b.rank && a.shape.slice(0, -2).every((s, i) => s === b.shape[i]);
  const rows = a.shape[transposeA ? a.rank - 1 : a.rank - 2]!;
  if (!explicitTranspose || !sameBatch || rows < MIN_ROWS_FOR_EXPLICIT) return tf.matMul(a, b, transposeA, transposeB) as T;
  return tf.tidy(() => plainProduct(transposeA ? swapLastTwo(a) : a, transposeB ? swapLastTwo(b) : b)) as T;
}
