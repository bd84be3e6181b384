/**
 * @softcot/backend-native: softcot's own TensorFlow.js backend on a native addon, with two devices:
 *   cpu   backend 'native-cpu': host memory, a thread pool over every core, GEMM through a BLAS opened at run time
 *         (OpenBLAS, MKL, BLIS) or a built-in blocked GEMM; built with g++ alone
 *   cuda  backend 'cuda': GPU memory, CUDA kernels, cuBLASLt opened at run time; built with nvcc
 * Both run the same kernel math (native/kernel_math.h) behind the same TypeScript backend, allocator and kernels.
 *
 *   import { isNativeAvailable, registerNativeBackend } from '@softcot/backend-native';
 *   const av = isNativeAvailable('cpu');
 *   if (av.ok) await tf.setBackend(registerNativeBackend({ device: 'cpu' }));   // 'native-cpu'
 *
 * Importing this module never loads an addon and never throws; the .node file is opened on the first
 * isNativeAvailable() / registerNativeBackend() call.
 */
import * as tf from '@tensorflow/tfjs';
import { NativeBackend, type Precision } from './backend';
import type { BlasInfo, DeviceInfo, DeviceKind } from './device/api';
import { loadAddon, NativeDevice } from './device/native';
import { registerNativeKernels } from './register';

export { NativeBackend, notImplemented, type NativeBackendOptions, type Precision, type PrecisionPolicy, type TensorEntry } from './backend';
export { CachingAllocator, DeviceOutOfMemoryError, sizeClass, type AllocatorStats, type Block } from './allocator';
export { NativeDevice, loadAddon, addonCandidates, addonEnvVar, addonFile, type NativeAddon } from './device/native';
export * from './device/api';
export { KERNELS_REQUIRED, KERNEL_CONFIGS, registeredKernelNames, registerNativeKernels } from './register';

/** The tfjs backend name of each device. */
export const NATIVE_BACKEND_NAMES = { cpu: 'native-cpu', cuda: 'cuda' } as const satisfies Record<DeviceKind, string>;

/** The environment variable that sets the cpu device's thread count (default: every core the process may use). */
export const THREADS_ENV = 'SOFTCOT_NUM_THREADS';

export interface NativeAvailability {
  ok: boolean;
  device: DeviceKind;
  /** Why not, when ok is false: one line, "<backend> backend unavailable: <why>; use backend ...". */
  reason?: string;
  addonPath?: string;
  info?: DeviceInfo;
  blas?: BlasInfo;
}

export interface NativeOptions {
  /** Which device (default 'cpu'). */
  device?: DeviceKind;
  /** cpu: compute threads, the caller included (default: $SOFTCOT_NUM_THREADS, else every core). */
  threads?: number;
  /** cpu: a BLAS library file or name to try first, or 'builtin' for the built-in GEMM (default: the search order). */
  blas?: string;
  /** cuda: a directory holding libcublasLt.so.13 (searched first). */
  cublasDir?: string;
  /** cuda: run without cuBLASLt, on the slow fallback GEMM, instead of failing. */
  allowNoCublas?: boolean;
}

export interface RegisterNativeOptions extends NativeOptions {
  /** 'fp32' (default) or 'bf16' storage; kernels accumulate in fp32 either way. */
  precision?: Precision;
  /** cuda: fp32 matmul on TF32 tensor cores. */
  allowTf32?: boolean;
  /** Backend name (default 'native-cpu' or 'cuda'). */
  name?: string;
  /** tfjs backend priority (default 0, below tfjs-cpu's 1, so it is used only when asked for). */
  priority?: number;
  /** Use the built-in GEMM even when a library is loaded (tests). */
  forceBuiltinMatmul?: boolean;
}

/** "<backend> backend unavailable: <why>; use backend ..." -- one line, with what to use instead. */
const unavailable = (device: DeviceKind, reason: string): string =>
  `${NATIVE_BACKEND_NAMES[device]} backend unavailable: ${reason}; use backend ${device === 'cuda' ? "'native-cpu' or 'wasm'" : "'wasm'"}`;

function resolveThreads(threads: number | undefined): number {
  const fromEnv = process.env[THREADS_ENV];
  const t = threads ?? (fromEnv === undefined || fromEnv === '' ? 0 : Number(fromEnv));
  if (!Number.isInteger(t) || t < 0)
    throw new Error(`native-cpu: threads must be a non-negative integer (0: every core), got ${threads ?? `${THREADS_ENV}=${fromEnv}`}`);
  return t;
}

const devices = new Map<DeviceKind, NativeDevice>();
const libraries = new Map<DeviceKind, BlasInfo>();

/** Can the device run here? Loads its addon, opens the device and finds its GEMM library. Never throws. */
export function isNativeAvailable(device: DeviceKind = 'cpu', opts: Omit<NativeOptions, 'device'> = {}): NativeAvailability {
  let threads: number;
  try {
    threads = resolveThreads(opts.threads);
  } catch (e) {
    return { ok: false, device, reason: unavailable(device, (e as Error).message) };
  }
  const load = loadAddon(device);
  if (!load.ok) return { ok: false, device, reason: unavailable(device, load.reason) };
  const dev = new NativeDevice(load.addon, threads);
  let info: DeviceInfo;
  try {
    info = dev.info();
  } catch (e) {
    return { ok: false, device, reason: unavailable(device, `addon init failed: ${(e as Error).message}`), addonPath: load.path };
  }
  if (!info.ok) return { ok: false, device, reason: unavailable(device, info.reason ?? 'unknown error'), addonPath: load.path, info };
  devices.set(device, dev);
  const choice = device === 'cpu' ? opts.blas : opts.cublasDir;
  let blas = libraries.get(device);
  if (!blas?.ok || choice) libraries.set(device, (blas = dev.loadBlas(choice)));
  if (device === 'cuda' && !blas.ok && !opts.allowNoCublas) {
    return {
      ok: false, device, addonPath: load.path, info, blas,
      reason: unavailable(device, `cuBLAS not found: ${blas.error ?? ''} (tried: ${blas.tried.join('; ')}); set CUBLAS_LIB_DIR ` +
        `or registerNativeBackend({ device: 'cuda', cublasDir }), or allowNoCublas: true for the slow fallback GEMM`),
    };
  }
  return { ok: true, device, addonPath: load.path, info, blas };
}

/** One line saying what runs: "native-cpu: AMD EPYC, 2 threads (avx512f); GEMM: OpenBLAS ... (libopenblas.so.0)". */
export function describeNative(av: NativeAvailability): string {
  if (!av.ok) return av.reason ?? unavailable(av.device, 'unknown');
  const i = av.info!;
  const where = av.device === 'cpu' ? `${i.name}, ${i.threads} thread${i.threads === 1 ? '' : 's'} (${i.simd})` : `${i.name} (sm_${i.major}${i.minor})`;
  const gemm = av.blas?.ok ? `${av.blas.name} (${av.blas.path})` : av.device === 'cpu' ? `${av.blas?.name ?? 'built-in'} (no BLAS library found)` : 'fallback kernel';
  return `${NATIVE_BACKEND_NAMES[av.device]}: ${where}; GEMM: ${gemm}`;
}

/**
 * Register a native backend (and its kernels) with tfjs and return its name; select it with
 * `await tf.setBackend(name)`. Throws "<backend> backend unavailable: <reason>" when the addon is not built or the
 * device cannot open (cuda: no driver, no GPU, or, unless allowNoCublas, no cuBLASLt).
 */
export function registerNativeBackend(opts: RegisterNativeOptions = {}): string {
  const device = opts.device ?? 'cpu';
  const name = opts.name ?? NATIVE_BACKEND_NAMES[device];
  const av = isNativeAvailable(device, opts);
  if (!av.ok) throw new Error(av.reason ?? unavailable(device, 'unknown'));
  const deviceApi = devices.get(device)!;
  registerNativeKernels(name);
  if (tf.findBackendFactory(name)) tf.removeBackend(name);
  tf.registerBackend(name, () => new NativeBackend({
    device: deviceApi, blas: av.blas, precision: opts.precision, allowTf32: opts.allowTf32, forceBuiltinMatmul: opts.forceBuiltinMatmul,
  }), opts.priority ?? 0);
  return name;
}
