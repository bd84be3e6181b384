// Choosing the tfjs backend. Model code never assumes one: it only uses tfjs ops.
//   native-cpu our own backend's cpu device (@softcot/backend-native): every core, a BLAS for the GEMMs, no 4 GB
//              cap; the default wherever its addon is built (scripts/build-native.sh cpu)
//   wasm       everywhere; ~30x faster matmul than cpu, one thread, 4 GB of memory. The fallback when the native
//              addon is not built. We add the one kernel it lacks that training needs.
//   cpu        everywhere; slow but exact (float32), the reference in tests. Its UnsortedSegmentSum is replaced.
//   cuda       our own backend's cuda device (NVIDIA GPU; scripts/build-native.sh cuda)
//   tensorflow tfjs-node(-gpu), only if the user installed it; untested here
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describeNative, isNativeAvailable, registerNativeBackend, NATIVE_BACKEND_NAMES, type DeviceKind } from '@softcot/backend-native';
import { setExplicitTranspose } from './matmul';

export type BackendName = 'native-cpu' | 'cpu' | 'wasm' | 'cuda' | 'tensorflow';
export const BACKEND_NAMES: readonly BackendName[] = ['native-cpu', 'cpu', 'wasm', 'cuda', 'tensorflow'];

/** The default CPU backend here: native-cpu when its addon loads, else wasm with the one-line reason. */
export function defaultBackend(): { name: 'native-cpu' | 'wasm'; reason?: string; detail: string } {
  const av = isNativeAvailable('cpu');
  if (av.ok) return { name: 'native-cpu', detail: describeNative(av) };
  return { name: 'wasm', reason: av.reason, detail: `wasm (${av.reason}; build it with scripts/build-native.sh cpu)` };
}

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

/** Register our native backend for `device` unless a backend of that name exists; throws its one-line reason. */
function ensureNative(device: DeviceKind): void {
  if (tf.findBackendFactory(NATIVE_BACKEND_NAMES[device])) return;
  registerNativeBackend({ device });
}

let fallbackSaid = false;

/**
 * Select and initialise a backend; without a name, the default CPU backend (native-cpu, or wasm when the native
 * addon is not built: the reason is printed once, on one line). Returns the backend in use.
 * `native-cpu` and `cuda` register our native backend on first use (a custom registration under the same name,
 * e.g. with precision 'bf16', is kept); `tensorflow` needs the user's own @tensorflow/tfjs-node(-gpu) import.
 */
export async function useBackend(name?: BackendName): Promise<BackendName> {
  if (name !== undefined && !BACKEND_NAMES.includes(name)) throw new Error(`unknown backend "${name}" (choose one of ${BACKEND_NAMES.join(', ')})`);
  let chosen: BackendName;
  if (name === undefined) {
    const d = defaultBackend();
    chosen = d.name;
    if (d.reason && !fallbackSaid) {
      fallbackSaid = true;
      console.warn(`softcot: using wasm: ${d.reason}`);
    }
  } else chosen = name;
  if (chosen === 'wasm') registerHostSegmentSum('wasm');
  if (chosen === 'native-cpu') ensureNative('cpu');
  if (chosen === 'cuda') ensureNative('cuda');
  if (chosen === 'tensorflow' && !tf.findBackendFactory(chosen))
    throw new Error('backend "tensorflow" needs @tensorflow/tfjs-node or @tensorflow/tfjs-node-gpu installed and imported (untested with softcot)');
  setExplicitTranspose(chosen === 'wasm');
  const ok = await tf.setBackend(chosen);
  if (!ok) throw new Error(`backend "${chosen}" failed to initialise`);
  await tf.ready();
  return chosen;
}
