// Choosing the tfjs backend. Model code never assumes one: it only uses tfjs ops.
//   cpu        everywhere; slow but exact (float32). Its UnsortedSegmentSum is replaced (see below).
//   wasm       everywhere; ~30x faster matmul than cpu. We add the one kernel it lacks that training needs.
//   cuda       our own native backend (@softcot/backend-cuda), registered by the caller before use
//   tensorflow tfjs-node(-gpu), only if the user installed it; untested here
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { setExplicitTranspose } from './matmul';

export type BackendName = 'cpu' | 'wasm' | 'cuda' | 'tensorflow';
export const BACKEND_NAMES: readonly BackendName[] = ['cpu', 'wasm', 'cuda', 'tensorflow'];

const hostSegmentSum = new Set<string>();

/**
 * UnsortedSegmentSum (the GatherV2 gradient: embeddings, and picking log-probs out of [N·V]) as one pass over
 * the rows on the host: out[ids[r]] += x[r]. tfjs-backend-wasm has no such kernel, and tfjs-backend-cpu's loops
 * over the segments, allocating a tensor per segment (for a gather out of N·V log-probs that is N·V tensors and
 * O(N·V·rows) time). Exact up to float32 rounding of sums over repeated ids; ids out of range are dropped.
 */
function registerHostSegmentSum(backendName: 'cpu' | 'wasm'): void {
  if (hostSegmentSum.has(backendName)) return;
  hostSegmentSum.add(backendName);
  if (tf.getKernel('UnsortedSegmentSum', backendName)) tf.unregisterKernel('UnsortedSegmentSum', backendName);
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName,
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
      const numSegments = (attrs as { numSegments: number }).numSegments;
      const b = backend as unknown as {
        readSync(id: unknown): ArrayLike<number>;
        makeOutput(shape: number[], dtype: tf.DataType, offset?: number, values?: Float32Array): tf.TensorInfo;
        makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
      };
      const values = b.readSync(x.dataId);
      const ids = b.readSync(segmentIds.dataId);
      const rows = x.shape[0]!;
      const inner = rows === 0 ? 0 : values.length / rows;
      const out = new Float32Array(numSegments * inner);
      for (let r = 0; r < rows; r++) {
        const seg = ids[r]!;
        if (seg < 0 || seg >= numSegments) continue;
        const src = r * inner;
        const dst = seg * inner;
        for (let j = 0; j < inner; j++) out[dst + j]! += values[src + j]!;
      }
      const shape = [numSegments, ...x.shape.slice(1)];
      return backendName === 'wasm' ? b.makeOutput(shape, 'float32', undefined, out) : b.makeTensorInfo(shape, 'float32', out);
    },
  });
}
registerHostSegmentSum('cpu');

/**
 * Select and initialise a backend. `cuda` must have been registered first (see @softcot/backend-cuda's
 * registerCudaBackend); `tensorflow` needs the user's own @tensorflow/tfjs-node(-gpu) import.
 */
export async function useBackend(name: BackendName): Promise<void> {
  if (!BACKEND_NAMES.includes(name)) throw new Error(`unknown backend "${name}" (choose one of ${BACKEND_NAMES.join(', ')})`);
  if (name === 'wasm') registerHostSegmentSum('wasm');
  if ((name === 'cuda' || name === 'tensorflow') && !tf.findBackendFactory(name)) {
    throw new Error(
      name === 'cuda'
        ? 'backend "cuda" is not registered: call registerCudaBackend() from @softcot/backend-cuda first (the CLI does this for --backend cuda)'
        : 'backend "tensorflow" needs @tensorflow/tfjs-node or @tensorflow/tfjs-node-gpu installed and imported (untested with softcot)',
    );
  }
  setExplicitTranspose(name === 'wasm');
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`backend "${name}" failed to initialise`);
  await tf.ready();
}
