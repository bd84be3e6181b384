/** Small factories shared by the kernel files: most tfjs kernels are one unary or binary launch. */
import { upcastType, type DataType, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import type { NativeBackend } from '../backend';
import { notImplemented } from '../backend';
import type { BinaryOp, UnaryOp } from '../device/api';

/** Kernel configs are written once and registered under each backend name (register.ts replaces this one). */
export const BACKEND = 'native';

export function assertNotComplex(kernel: string, ...xs: (TensorInfo | undefined)[]): void {
  for (const x of xs) {
    if (x && (x.dtype === 'complex64' || x.dtype === 'string')) throw notImplemented(kernel, `dtype ${x.dtype}`);
  }
}

/** The native backend behind a kernel call (tfjs types it as the abstract KernelBackend). */
export const nativeOf = (b: unknown): NativeBackend => b as NativeBackend;

/**
 * A unary kernel. `out`: 'same' keeps x's dtype; 'float' gives float32 (exp, log, ... of an int tensor).
 */
export function unaryKernel(kernelName: string, op: UnaryOp, out: 'same' | 'float' = 'same'): KernelConfig {
  const kernelFunc = ({ inputs, backend }: Parameters<KernelFunc>[0]) => {
    const { x } = inputs as { x: TensorInfo };
    assertNotComplex(kernelName, x);
    const dtype: DataType = out === 'float' ? 'float32' : x.dtype;
    return nativeOf(backend).unary(x, op, dtype);
  };
  return { kernelName, backendName: BACKEND, kernelFunc: kernelFunc as unknown as KernelFunc };
}

/**
 * A broadcasting binary kernel. `out`: 'upcast' is the inputs' common dtype, 'bool' for comparisons,
 * 'float' for RealDiv, 'int32' for FloorDiv (tfjs's dtype even for float inputs).
 */
export function binaryKernel(kernelName: string, op: BinaryOp, out: 'upcast' | 'bool' | 'float' | 'int32' = 'upcast'): KernelConfig {
  const kernelFunc = ({ inputs, backend }: Parameters<KernelFunc>[0]) => {
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    assertNotComplex(kernelName, a, b);
    const dtype: DataType = out === 'bool' ? 'bool' : out === 'float' ? 'float32' : out === 'int32' ? 'int32' : upcastType(a.dtype, b.dtype);
    return nativeOf(backend).binary(a, b, op, dtype, kernelName);
  };
  return { kernelName, backendName: BACKEND, kernelFunc: kernelFunc as unknown as KernelFunc };
}

export function kernel(kernelName: string, f: (args: Parameters<KernelFunc>[0], backend: NativeBackend) => TensorInfo | TensorInfo[]): KernelConfig {
  const kernelFunc = (args: Parameters<KernelFunc>[0]) => f(args, nativeOf(args.backend));
  return { kernelName, backendName: BACKEND, kernelFunc: kernelFunc as unknown as KernelFunc };
}
