/**
 * The device layer as an interface: `NativeDevice` (native.ts) forwards it to a native addon, softcot_cpu.node
 * (the cpu device) or softcot_cuda.node (the cuda device); native/device.h is the C++ side of the same contract.
 *
 * The numeric codes are shared with native/common.h. Change both together.
 */

/** Storage type of a device buffer. tfjs 'bool' and 'int32' are both stored as I32. */
export const DT = { F32: 0, BF16: 1, I32: 2 } as const;
export type DevType = (typeof DT)[keyof typeof DT];

export const dtBytes = (t: DevType): number => (t === DT.BF16 ? 2 : 4);

export const UOP = {
  COPY: 0, NEG: 1, EXP: 2, LOG: 3, SQRT: 4, RSQRT: 5, SQUARE: 6, SIGMOID: 7, CLIP: 8, ABS: 9, TANH: 10,
  RELU: 11, FLOOR: 12, NOTZERO: 13, LOGICAL_NOT: 14, STEP: 15,
} as const;
export type UnaryOp = (typeof UOP)[keyof typeof UOP];

export const BOP = {
  ADD: 0, SUB: 1, MUL: 2, DIV: 3, POW: 4, MAX: 5, MIN: 6, GREATER: 7, GREATER_EQ: 8, LESS: 9, LESS_EQ: 10,
  EQUAL: 11, NOT_EQUAL: 12, LOGICAL_AND: 13, LOGICAL_OR: 14, FLOOR_DIV: 15,
} as const;
export type BinaryOp = (typeof BOP)[keyof typeof BOP];

export const ROP = { SUM: 0, MEAN: 1, MAX: 2, MIN: 3, ARGMAX: 4, ARGMIN: 5 } as const;
export type ReduceOp = (typeof ROP)[keyof typeof ROP];

/** The devices the native addon is built for. */
export type DeviceKind = 'cpu' | 'cuda';

/** A device address (a number: host and GPU virtual addresses fit in 53 bits). 0 is never a valid buffer. */
export type Ptr = number;

export interface DeviceInfo {
  ok: boolean;
  reason?: string;
  device?: DeviceKind;
  name?: string;
  /** cpu: compute threads (the pool, the caller included). */
  threads?: number;
  /** cpu: the widest vector instruction set the built-in kernels use. */
  simd?: string;
  major?: number;
  minor?: number;
  smCount?: number;
  totalMem?: number;
  freeMem?: number;
  driverVersion?: number;
  runtimeVersion?: number;
}

/** The matrix-multiply library: a BLAS (OpenBLAS, MKL, BLIS) on the cpu, cuBLASLt on the GPU. */
export interface BlasInfo {
  ok: boolean;
  /** The library file that loaded ('' when none). */
  path: string;
  /** What runs the GEMMs, in words (the built-in GEMM when no library loaded). */
  name: string;
  /** cuda: libcublas, when it loaded beside cuBLASLt. */
  extra?: string;
  tried: string[];
  error?: string;
  version?: string;
}

/**
 * Geometry for strided kernels, packed into one Int32Array:
 *   [rank, nOps, shape[rank], stride[op][rank] for each op, offset[nOps], mod[rank]]
 * binary: ops (a, b); select: ops (cond, a, b); stridedCopy: ops (x, y) with mod wrapping x's coordinates.
 */
export type PackedGeom = Int32Array;

export interface DeviceApi {
  readonly kind: DeviceKind;
  info(): DeviceInfo;
  /** cpu: a BLAS file or name to try first, or 'builtin'; cuda: a directory holding libcublasLt.so.13. */
  loadBlas(choice?: string): BlasInfo;
  /** Device memory (host memory on the cpu); returns 0 when out of memory (never throws for OOM). */
  rawMalloc(bytes: number): Ptr;
  rawFree(ptr: Ptr): void;
  memInfo(): { free: number; total: number };
  upload(ptr: Ptr, t: DevType, data: Float32Array | Int32Array): void;
  download(ptr: Ptr, t: DevType, n: number): Float32Array | Int32Array;
  copy(dst: Ptr, src: Ptr, bytes: number): void;
  sync(): void;
  fill(y: Ptr, t: DevType, n: number, value: number): void;
  unary(op: UnaryOp, x: Ptr, tx: DevType, y: Ptr, ty: DevType, n: number, a: number, b: number): void;
  binary(op: BinaryOp, a: Ptr, b: Ptr, tin: DevType, y: Ptr, ty: DevType, geom: PackedGeom): void;
  select(cond: Ptr, a: Ptr, b: Ptr, t: DevType, y: Ptr, geom: PackedGeom): void;
  stridedCopy(x: Ptr, tx: DevType, y: Ptr, ty: DevType, geom: PackedGeom): void;
  reduce(op: ReduceOp, x: Ptr, tx: DevType, y: Ptr, ty: DevType, rows: number, cols: number): void;
  softmax(x: Ptr, y: Ptr, t: DevType, rows: number, cols: number): void;
  gather(x: Ptr, t: DevType, idx: Ptr, y: Ptr, outer: number, axisDim: number, inner: number, nIdx: number): void;
  /** y (f32 or i32, zeroed by the call) [numSegments, inner] += x [rows, inner] by segment id. */
  segmentSum(x: Ptr, tx: DevType, seg: Ptr, y: Ptr, ty: DevType, rows: number, inner: number, numSegments: number): void;
  multinomial(logits: Ptr, t: DevType, out: Ptr, batch: number, classes: number, samples: number, seed: number,
    normalized: boolean): void;
  topk(x: Ptr, t: DevType, vals: Ptr, idx: Ptr, rows: number, cols: number, k: number): void;
  /** Row-major batched C = op(A) op(B); returns 1 when the library (BLAS, cuBLASLt) ran, 0 for the built-in GEMM. */
  matmul(a: Ptr, b: Ptr, c: Ptr, t: DevType, batch: number, m: number, n: number, k: number, transA: boolean,
    transB: boolean, strideA: number, strideB: number, strideC: number, allowTf32: boolean, forceBuiltin: boolean): number;
}
