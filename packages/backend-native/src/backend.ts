/**
 * NativeBackend: a tfjs KernelBackend whose tensors live in the buffers of a native device (cpu or cuda).
 *
 * - Storage: a DataStorage<TensorEntry> keyed by tfjs dataIds. Each entry owns one allocator block and a refcount.
 *   Identity, Reshape and same-dtype Cast only bump the refcount: no copy, no launch.
 * - Precision policy: 'fp32' stores float32 tensors as f32 (on the GPU matmul may use TF32 when allowTf32); 'bf16'
 *   stores them as bf16 (half the memory and bandwidth) while every kernel accumulates in fp32 (matmul, reductions,
 *   softmax). tfjs still sees dtype 'float32': dataSync() returns float32 values, which under 'bf16' are
 *   bf16-rounded. The policy is the same on both devices.
 * - The device is a DeviceApi: the same class, allocator and kernels run on the cpu and the cuda device.
 */
import {
  DataStorage, KernelBackend, backend_util, engine, util,
  type BackendValues, type DataId, type DataType, type TensorInfo,
} from '@tensorflow/tfjs';
import { CachingAllocator, type AllocatorStats, type Block } from './allocator';
import { BOP, DT, ROP, UOP, dtBytes, type BinaryOp, type BlasInfo, type DeviceApi, type DevType, type ReduceOp, type UnaryOp } from './device/api';
import { broadcastShape, broadcastStrides, contiguousStrides, packGeom, sizeOf } from './geom';

export type Precision = 'fp32' | 'bf16';

export interface PrecisionPolicy {
  precision: Precision;
  /** cuda, fp32 only: let cuBLASLt use TF32 tensor cores for matmul (10-bit mantissa inputs, fp32 accumulation). */
  allowTf32?: boolean;
}

export interface NativeBackendOptions extends Partial<PrecisionPolicy> {
  device: DeviceApi;
  blas?: BlasInfo;
  /** Use the built-in GEMM even when a library (BLAS, cuBLASLt) is loaded (tests and debugging). */
  forceBuiltinMatmul?: boolean;
  /** Freed memory kept for reuse (default: the GPU keeps all of it; the cpu min(2 GiB, 1/8 of its memory)). */
  maxCachedBytes?: number;
}

export interface TensorEntry {
  blk: Block;
  dtype: DataType;
  t: DevType;
  size: number;
  refCount: number;
}

export interface NativeBackendStats {
  launches: number;
  uploads: number;
  downloads: number;
  matmulLibrary: number;
  matmulBuiltin: number;
  refcountOnly: number;
}

/** The cpu device shares host memory with everything else, so it keeps less of what it frees. */
function defaultCacheLimit(device: DeviceApi): number {
  return device.kind === 'cpu' ? Math.min(2 ** 31, device.memInfo().total / 8) : Infinity;
}

/** The error for a case a kernel does not support: never compute garbage. */
export function notImplemented(kernel: string, what: string): Error {
  return new Error(`not implemented in the native backend: ${kernel} with ${what}`);
}

export class NativeBackend extends KernelBackend {
  readonly device: DeviceApi;
  readonly allocator: CachingAllocator;
  readonly precision: Precision;
  allowTf32: boolean;
  readonly blas?: BlasInfo;
  readonly forceBuiltinMatmul: boolean;
  data: DataStorage<TensorEntry>;
  readonly counters: NativeBackendStats = { launches: 0, uploads: 0, downloads: 0, matmulLibrary: 0, matmulBuiltin: 0, refcountOnly: 0 };
  private disposed = false;

  constructor(opts: NativeBackendOptions) {
    super();
    this.device = opts.device;
    this.allocator = new CachingAllocator(opts.device, opts.maxCachedBytes ?? defaultCacheLimit(opts.device));
    this.precision = opts.precision ?? 'fp32';
    if (this.precision !== 'fp32' && this.precision !== 'bf16') {
      throw new Error(`native backend: precision must be 'fp32' or 'bf16', got '${String(this.precision)}'`);
    }
    this.allowTf32 = opts.allowTf32 ?? false;
    this.blas = opts.blas;
    this.forceBuiltinMatmul = opts.forceBuiltinMatmul ?? false;
    this.data = new DataStorage(this, engine());
  }

  // ---- storage -------------------------------------------------------------------------------------------------
  /** Storage type for a tfjs dtype under the precision policy. */
  devType(dtype: DataType): DevType {
    switch (dtype) {
      case 'float32': return this.precision === 'bf16' ? DT.BF16 : DT.F32;
      case 'int32':
      case 'bool': return DT.I32;
      default: throw notImplemented('storage', `dtype ${dtype}`);
    }
  }

  private newEntry(size: number, dtype: DataType, refCount = 1): TensorEntry {
    const t = this.devType(dtype);
    return { blk: this.allocator.malloc(size * dtBytes(t)), dtype, t, size, refCount };
  }

  private upload(e: TensorEntry, values: BackendValues | null | undefined): void {
    if (values == null || e.size === 0) return;
    let host: Float32Array | Int32Array;
    if (e.t === DT.I32) {
      host = values instanceof Int32Array ? values : Int32Array.from(values as ArrayLike<number>);
    } else {
      host = values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
    }
    if (host.length !== e.size) throw new Error(`native backend: write of ${host.length} values into a tensor of size ${e.size}`);
    this.device.upload(e.blk.ptr, e.t, host);
    this.counters.uploads++;
  }

  override write(values: BackendValues, shape: number[], dtype: DataType): DataId {
    const dataId = {};
    const e = this.newEntry(sizeOf(shape), dtype);
    this.upload(e, values);
    this.data.set(dataId, e);
    return dataId;
  }

  override move(dataId: DataId, values: BackendValues, shape: number[], dtype: DataType, refCount: number): void {
    const e = this.newEntry(sizeOf(shape), dtype, refCount);
    this.upload(e, values);
    this.data.set(dataId, e);
  }

  /** A fresh output tensor (uninitialised device memory) owned by the caller. */
  makeOutput(shape: number[], dtype: DataType): TensorInfo {
    const dataId = {};
    this.data.set(dataId, this.newEntry(sizeOf(shape), dtype));
    return { dataId, shape, dtype };
  }

  /** A tensor from host values (small things: Range, index tables). */
  makeTensorInfo(shape: number[], dtype: DataType, values: BackendValues): TensorInfo {
    return { dataId: this.write(values, shape, dtype), shape, dtype };
  }

  /** Share the buffer of x under a new shape/dtype view: refcount only. */
  view(x: TensorInfo, shape: number[] = x.shape, dtype: DataType = x.dtype): TensorInfo {
    this.incRef(x.dataId);
    this.counters.refcountOnly++;
    return { dataId: x.dataId, shape, dtype };
  }

  entry(x: TensorInfo): TensorEntry {
    return this.data.get(x.dataId);
  }
  ptr(x: TensorInfo): number {
    return this.entry(x).blk.ptr;
  }
  dt(x: TensorInfo): DevType {
    return this.entry(x).t;
  }

  override refCount(dataId: DataId): number {
    return this.data.has(dataId) ? this.data.get(dataId).refCount : 0;
  }
  override incRef(dataId: DataId): void {
    this.data.get(dataId).refCount++;
  }
  decRef(dataId: DataId): void {
    if (this.data.has(dataId)) this.data.get(dataId).refCount--;
  }

  override readSync(dataId: DataId): BackendValues {
    const e = this.data.get(dataId);
    const raw = e.size === 0 ? (e.t === DT.I32 ? new Int32Array(0) : new Float32Array(0)) : this.device.download(e.blk.ptr, e.t, e.size);
    this.counters.downloads++;
    if (e.dtype === 'bool') return Uint8Array.from(raw as Int32Array);
    if (e.dtype === 'int32') return raw instanceof Int32Array ? raw : Int32Array.from(raw);
    return raw instanceof Float32Array ? raw : Float32Array.from(raw);
  }

  override async read(dataId: DataId): Promise<BackendValues> {
    return this.readSync(dataId);
  }

  override disposeData(dataId: DataId, force = false): boolean {
    if (this.data.has(dataId)) {
      const e = this.data.get(dataId);
      e.refCount--;
      if (!force && e.refCount > 0) return false;
      this.allocator.free(e.blk);
      this.data.delete(dataId);
    }
    return true;
  }

  /** Release a kernel-internal temporary. */
  disposeIntermediate(x: TensorInfo): void {
    this.disposeData(x.dataId);
  }

  override numDataIds(): number {
    return this.data.numDataIds();
  }

  override memory(): { unreliable: boolean; reasons?: string[] } & Record<string, unknown> {
    const s: AllocatorStats = this.allocator.stats();
    return {
      unreliable: false,
      numBytesInGPU: s.allocatedBytes,
      numBytesInGPUAllocated: s.reservedBytes,
      numBytesInGPUFree: s.cachedBytes,
      allocator: s,
      precision: this.precision,
      device: this.device.kind,
    };
  }

  override floatPrecision(): 16 | 32 {
    return 32;
  }
  override epsilon(): number {
    return 1e-7; // tfjs EPSILON_FLOAT32
  }
  override timerAvailable(): boolean {
    return true;
  }
  override async time(f: () => void): Promise<{ kernelMs: number }> {
    const t0 = performance.now();
    f();
    this.device.sync();
    return { kernelMs: performance.now() - t0 };
  }

  override dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    try {
      this.device.sync();
    } finally {
      this.allocator.releaseAll();
    }
  }

  // ---- building blocks for kernels -------------------------------------------------------------------------------
  launched(): void {
    this.counters.launches++;
  }

  fill(shape: number[], dtype: DataType, value: number): TensorInfo {
    const out = this.makeOutput(shape, dtype);
    this.device.fill(this.ptr(out), this.dt(out), sizeOf(shape), value);
    this.launched();
    return out;
  }

  unary(x: TensorInfo, op: UnaryOp, outDtype: DataType = x.dtype, a = 0, b = 0): TensorInfo {
    const out = this.makeOutput(x.shape, outDtype);
    this.device.unary(op, this.ptr(x), this.dt(x), this.ptr(out), this.dt(out), sizeOf(x.shape), a, b);
    this.launched();
    return out;
  }

  /** dtype conversion with tfjs semantics (float->int truncates, ->bool is x != 0). Same dtype: refcount only. */
  cast(x: TensorInfo, dtype: DataType): TensorInfo {
    if (dtype === x.dtype) return this.view(x);
    if (dtype === 'bool') return this.unary(x, UOP.NOTZERO, 'bool');
    if (dtype !== 'float32' && dtype !== 'int32') throw notImplemented('Cast', `dtype ${x.dtype} -> ${dtype}`);
    return this.unary(x, UOP.COPY, dtype);
  }

  binary(a: TensorInfo, b: TensorInfo, op: BinaryOp, outDtype: DataType, kernel: string): TensorInfo {
    const outShape = broadcastShape(a.shape, b.shape);
    // Operands share one storage type; a float/int mix is computed in float.
    let a2 = a, b2 = b;
    const temps: TensorInfo[] = [];
    if (this.dt(a) !== this.dt(b)) {
      if (this.dt(a) === DT.I32) { a2 = this.cast(a, 'float32'); temps.push(a2); }
      if (this.dt(b) === DT.I32) { b2 = this.cast(b, 'float32'); temps.push(b2); }
    }
    const out = this.makeOutput(outShape, outDtype);
    const geom = packGeom({ shape: outShape, strides: [broadcastStrides(a2.shape, outShape), broadcastStrides(b2.shape, outShape)] }, [0, 0], kernel);
    this.device.binary(op, this.ptr(a2), this.ptr(b2), this.dt(a2), this.ptr(out), this.dt(out), geom);
    this.launched();
    for (const t of temps) this.disposeIntermediate(t);
    return out;
  }

  /** y[region] = x read through (xStrides, xOffset, mod): the one primitive behind Transpose/Slice/Tile/Concat/Pad. */
  stridedCopy(x: TensorInfo, out: TensorInfo, shape: number[], xStrides: number[], xOffset: number, yStrides: number[],
    yOffset: number, kernel: string, mod?: number[]): void {
    if (sizeOf(shape) === 0) return;
    const geom = packGeom({ shape, strides: [xStrides, yStrides], mod: mod ?? shape.map(() => 0) }, [xOffset, yOffset], kernel);
    this.device.stridedCopy(this.ptr(x), this.dt(x), this.ptr(out), this.dt(out), geom);
    this.launched();
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    if (perm.every((p, i) => p === i)) return this.view(x);
    const outShape = perm.map((p) => x.shape[p]!);
    const xs = contiguousStrides(x.shape);
    const out = this.makeOutput(outShape, x.dtype);
    this.stridedCopy(x, out, outShape, perm.map((p) => xs[p]!), 0, contiguousStrides(outShape), 0, 'Transpose');
    return out;
  }

  /** Reduce `axes` of x; the reduced axes are moved last first (a transpose) when they are not already. */
  reduce(x: TensorInfo, axis: number | number[] | undefined, keepDims: boolean, op: ReduceOp, outDtype: DataType,
    kernel: string): TensorInfo {
    const rank = x.shape.length;
    const origAxes = util.parseAxisParam(axis as number | number[], x.shape);
    let axes = origAxes;
    let src = x;
    const perm = backend_util.getAxesPermutation(axes, rank);
    if (perm != null) {
      src = this.transpose(x, perm);
      axes = backend_util.getInnerMostAxes(axes.length, rank);
    }
    backend_util.assertAxesAreInnerMostDims(kernel, axes, rank);
    const [outShape, reduceShape] = backend_util.computeOutAndReduceShapes(src.shape, axes);
    const rows = sizeOf(outShape), cols = sizeOf(reduceShape);
    const finalShape = keepDims ? backend_util.expandShapeToKeepDim(outShape, origAxes) : outShape;
    if (cols === 0 && (op === ROP.MAX || op === ROP.MIN || op === ROP.ARGMAX || op === ROP.ARGMIN) && rows > 0) {
      if (src !== x) this.disposeIntermediate(src);
      throw notImplemented(kernel, 'an empty reduction axis');
    }
    const out = this.makeOutput(finalShape, outDtype);
    this.device.reduce(op, this.ptr(src), this.dt(src), this.ptr(out), this.dt(out), rows, cols);
    this.launched();
    if (src !== x) this.disposeIntermediate(src);
    return out;
  }

  matmulCalled(usedLibrary: number): void {
    this.launched();
    if (usedLibrary) this.counters.matmulLibrary++;
    else this.counters.matmulBuiltin++;
  }
}

export { BOP, DT, ROP, UOP };
