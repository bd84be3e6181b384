// Frozen weights stored in bf16, computed in fp32: half the memory of the base model's matrices when only LoRA
// adapters train.
//
// tfjs has no bf16 dtype, so a frozen matrix W [out, in] is kept as an int32 tensor [out, in/2] holding two bf16
// values per element (element j of a row is bits 16·(j mod 2) .. of word j/2, little-endian: the safetensors BF16
// bytes reinterpreted). Every use unpacks it to a transient fp32 matrix (exact: a bf16 value is the upper half of
// an fp32) and multiplies in fp32:
//
//   y  = x · unpack(W)ᵀ        forward
//   dx = dy · unpack(W)        backward (W is frozen: no dW, and x need not be kept for it)
//
// So the tape keeps nothing for a frozen linear layer, and at most one unpacked matrix is alive at a time.
// Backends: the unpack kernel exists for tfjs `cpu` and `wasm` (host code). The native cuda backend has no such
// kernel: there, bf16 storage is its own precision policy ('bf16' stores every float tensor in bf16).
import * as tf from '@tensorflow/tfjs';
import { float32ToBfloat16Bits } from './safetensors-format';
import { matMul } from './matmul';

export const UNPACK_BF16_KERNEL = 'SoftcotUnpackBf16';

/** fp32 values -> packed bf16 (round to nearest even), as int32 words. `values.length` must be even. */
export function packBf16(values: Float32Array): Int32Array {
  if (values.length % 2 !== 0) throw new Error(`packBf16: needs an even number of values, got ${values.length}`);
  const bits = float32ToBfloat16Bits(values);
  return new Int32Array(bits.buffer, bits.byteOffset, bits.length / 2);
}

/** Raw little-endian BF16 bytes (as stored in safetensors) -> packed words, without conversion. */
export function packedFromBf16Bytes(bytes: Uint8Array): Int32Array {
  if (bytes.byteLength % 4 !== 0) throw new Error(`packedFromBf16Bytes: ${bytes.byteLength} bytes is not a whole number of bf16 pairs`);
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  return new Int32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4);
}

function unpackInto(words: ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number; length: number }): Float32Array {
  const halves = new Uint16Array(words.buffer, words.byteOffset, words.length * 2);
  const out = new Float32Array(halves.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < halves.length; i++) bits[i] = halves[i]! << 16;
  return out;
}

interface HostBackend {
  readSync(dataId: unknown): Int32Array;
}

let registered = false;

/** Register the unpack kernel for cpu and wasm (idempotent). */
function registerUnpackKernels(): void {
  if (registered) return;
  registered = true;
  const shapeOf = (x: tf.TensorInfo) => [x.shape[0]!, x.shape[1]! * 2];
  tf.registerKernel({
    kernelName: UNPACK_BF16_KERNEL,
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend }) => {
      const { packed } = inputs as { packed: tf.TensorInfo };
      const b = backend as unknown as HostBackend & { makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo };
      return b.makeTensorInfo(shapeOf(packed), 'float32', unpackInto(b.readSync(packed.dataId)));
    },
  });
  tf.registerKernel({
    kernelName: UNPACK_BF16_KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const { packed } = inputs as { packed: tf.TensorInfo };
      const b = backend as unknown as HostBackend & { makeOutput(shape: number[], dtype: tf.DataType, offset?: number, values?: Float32Array): tf.TensorInfo };
      return b.makeOutput(shapeOf(packed), 'float32', undefined, unpackInto(b.readSync(packed.dataId)));
    },
  });
}

/** Throw unless the current backend can unpack bf16 weights. */
export function assertBf16WeightsSupported(): void {
  registerUnpackKernels();
  const backend = tf.getBackend();
  if (!tf.getKernel(UNPACK_BF16_KERNEL, backend))
    throw new Error(
      `bf16 storage of frozen weights is not available on backend "${backend}" (it has no bf16 unpack kernel; ` +
        `the cpu and wasm backends have one). On cuda use the backend's precision 'bf16' instead.`,
    );
}

/** packed [out, in/2] int32 -> W [out, in] float32 (a new tensor, not on the autograd tape). */
export function unpackBf16(packed: tf.Tensor2D): tf.Tensor2D {
  assertBf16WeightsSupported();
  return tf.engine().runKernel(UNPACK_BF16_KERNEL, { packed }) as tf.Tensor2D;
}

/** x [N, in] · Wᵀ with W stored packed; differentiable in x only (W is frozen). */
export function bf16Linear(x: tf.Tensor2D, packed: tf.Tensor2D): tf.Tensor2D {
  const op = tf.customGrad(((input: tf.Tensor2D) => ({
    value: tf.tidy(() => matMul<tf.Tensor2D>(input, unpackBf16(packed), false, true)),
    gradFunc: (dy: tf.Tensor2D) => tf.tidy(() => matMul<tf.Tensor2D>(dy, unpackBf16(packed))),
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (op as unknown as (x: tf.Tensor2D) => tf.Tensor2D)(x);
}
