/**
 * @softcot/backend-cuda: a TensorFlow.js backend named 'cuda' on a native CUDA addon.
 *
 *   import { isCudaAvailable, registerCudaBackend } from '@softcot/backend-cuda';
 *   const av = isCudaAvailable();
 *   if (av.ok) { registerCudaBackend({ precision: 'bf16' }); await tf.setBackend('cuda'); }
 *
 * Importing this module never loads the addon and never throws; the .node file is opened on the first
 * isCudaAvailable() / registerCudaBackend() call.
 */
import * as tf from '@tensorflow/tfjs';
import { CudaBackend, type Precision } from './backend';
import type { BlasInfo, DeviceApi, DeviceInfo } from './device/api';
import { loadAddon, NativeDevice } from './device/native';
import { registerCudaKernels } from './register';

export { CudaBackend, notImplemented, type CudaBackendOptions, type Precision, type PrecisionPolicy, type TensorEntry } from './backend';
export { CachingAllocator, CudaOutOfMemoryError, sizeClass, type AllocatorStats, type Block } from './allocator';
export { FakeDevice, type FakeDeviceOptions } from './device/fake';
export { NativeDevice, loadAddon, addonCandidates, resetAddonCache, type NativeAddon } from './device/native';
export * from './device/api';
export { KERNELS_REQUIRED, KERNEL_CONFIGS, registeredKernelNames, registerCudaKernels } from './register';
export { randomNormal, randomUniform } from './random';
export { roundBf16, roundBf16Array, f32ToBf16Bits, bf16BitsToF32 } from './device/bf16';
export { philox4x32_10, mulhilo32 } from './device/philox';

export interface CudaAvailability {
  ok: boolean;
  /** Why not, when ok is false (one line, ends with "use backend 'cpu'"). */
  reason?: string;
  addonPath?: string;
  device?: DeviceInfo;
  blas?: BlasInfo;
}

export interface RegisterCudaOptions {
  /** 'fp32' (default) or 'bf16' storage; kernels accumulate in fp32 either way. */
  precision?: Precision;
  /** fp32 matmul on TF32 tensor cores. */
  allowTf32?: boolean;
  /** A directory holding libcublasLt.so.13 (searched first). */
  cublasDir?: string;
  /** Run without cuBLASLt, on the slow fallback GEMM, instead of failing. */
  allowNoCublas?: boolean;
  /** Backend name (default 'cuda'). */
  name?: string;
  /** tfjs backend priority (default 0, below cpu's 1, so it is used only when asked for). */
  priority?: number;
  /** A device to use instead of the native addon (tests: new FakeDevice()). */
  device?: DeviceApi;
  forceNaiveMatmul?: boolean;
}

const unavailable = (reason: string): string => `cuda backend unavailable: ${reason}; use backend 'cpu'`;

let nativeDevice: NativeDevice | undefined;
let nativeBlas: BlasInfo | undefined;

/** Can the cuda backend run here? Loads the addon, opens the GPU, and looks for cuBLASLt. Never throws. */
export function isCudaAvailable(opts: { cublasDir?: string; requireBlas?: boolean } = {}): CudaAvailability {
  const load = loadAddon();
  if (!load.ok) return { ok: false, reason: unavailable(load.reason) };
  let device: DeviceInfo;
  try {
    device = load.addon.init();
  } catch (e) {
    return { ok: false, reason: unavailable(`addon init failed: ${(e as Error).message}`), addonPath: load.path };
  }
  if (!device.ok) return { ok: false, reason: unavailable(device.reason ?? 'unknown CUDA error'), addonPath: load.path, device };
  nativeDevice ??= new NativeDevice(load.addon);
  nativeBlas = nativeBlas?.ok ? nativeBlas : nativeDevice.loadBlas(opts.cublasDir);
  if (!nativeBlas.ok && opts.requireBlas !== false) {
    return {
      ok: false, addonPath: load.path, device, blas: nativeBlas,
      reason: unavailable(`cuBLAS not found: ${nativeBlas.error ?? ''} (tried: ${nativeBlas.tried.join('; ')}); set CUBLAS_LIB_DIR ` +
        `or registerCudaBackend({ cublasDir }), or allowNoCublas: true for the slow fallback GEMM`),
    };
  }
  return { ok: true, addonPath: load.path, device, blas: nativeBlas };
}

/**
 * Register the 'cuda' backend (and its kernels) with tfjs. Throws "cuda backend unavailable: <reason>; use
 * backend 'cpu'" when there is no addon, driver, GPU or (unless allowNoCublas) cuBLASLt.
 * Returns the backend name; select it with `await tf.setBackend(name)`.
 */
export function registerCudaBackend(opts: RegisterCudaOptions = {}): string {
  const name = opts.name ?? 'cuda';
  let device: DeviceApi;
  let blas: BlasInfo | undefined;
  if (opts.device) {
    device = opts.device;
    const info = device.info();
    if (!info.ok) throw new Error(unavailable(info.reason ?? 'device not ok'));
    blas = device.loadBlas(opts.cublasDir);
  } else {
    const av = isCudaAvailable({ cublasDir: opts.cublasDir, requireBlas: !opts.allowNoCublas });
    if (!av.ok || !nativeDevice) throw new Error(av.reason ?? unavailable('unknown'));
    device = nativeDevice;
    blas = av.blas;
  }
  registerCudaKernels(name);
  if (tf.findBackendFactory(name)) tf.removeBackend(name);
  tf.registerBackend(name, () => new CudaBackend({
    device, blas, precision: opts.precision, allowTf32: opts.allowTf32, forceNaiveMatmul: opts.forceNaiveMatmul,
  }), opts.priority ?? 0);
  return name;
}
