// Memory a model config implies, known before anything is allocated: the weights, the KV cache of a batch, the
// logits of a batch. These are lower bounds (the big, unavoidable buffers), used to refuse plans that cannot fit
// ("a rollout of 10⁹ rows needs 3.1 TB"), not to plan memory to the byte.
import * as tf from '@tensorflow/tfjs';
import { hostMemoryBytes } from '@softcot/base';
import type { ModelConfig } from './config';
import { parameterSpecs } from './transformer';

const FLOAT32 = 4;

/** Number of weights of a model with this config. */
export function parameterCount(c: ModelConfig): number {
  let n = 0;
  for (const s of parameterSpecs(c)) n += s.shape.reduce((a, b) => a * b, 1);
  return n;
}

/** Bytes of the float32 weights. */
export function weightBytes(c: ModelConfig): number {
  return parameterCount(c) * FLOAT32;
}

/** Bytes of a float32 KV cache for `rows` sequences of `positions` positions: 2 (k, v) · layers · kv heads · head_dim. */
export function kvCacheBytes(c: ModelConfig, rows: number, positions: number): number {
  return 2 * c.numLayers * c.numKvHeads * c.headDim * FLOAT32 * rows * positions;
}

/** Bytes of float32 logits for `rows` × `positions` positions. */
export function logitsBytes(c: ModelConfig, rows: number, positions: number): number {
  return c.vocabSize * FLOAT32 * rows * positions;
}

/** wasm32's linear memory ends at 4 GiB, whatever the host has. */
const WASM_MEMORY_BYTES = 4 * 1024 ** 3;

/** What the current tfjs backend can hold: the host's memory, or 4 GiB on wasm. */
export function tensorMemoryBudget(): { bytes: number; name: string } {
  const host = hostMemoryBytes();
  const backend = tf.getBackend();
  if (backend === 'wasm') return { bytes: Math.min(host, WASM_MEMORY_BYTES), name: 'the wasm backend (4 GiB address space)' };
  return { bytes: host, name: 'this machine' };
}
