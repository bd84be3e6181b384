/**
 * Lazy loading of the native addon (build/softcot_cuda.node) and the NativeDevice that forwards DeviceApi calls
 * to it. Nothing here runs at import time: a machine without the addon or without a GPU imports this package
 * cleanly, and isCudaAvailable() explains what is missing.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  BinaryOp, BlasInfo, DeviceApi, DeviceInfo, DevType, PackedGeom, Ptr, RandomDist, ReduceOp, UnaryOp,
} from './api';

/** The raw N-API surface (see native/addon.cu). */
export interface NativeAddon {
  version: string;
  init(): DeviceInfo;
  loadCublas(dir?: string): { ok: boolean; path: string; cublasPath: string; tried: string; error: string; version: number };
  rawMalloc(bytes: number): number;
  rawFree(ptr: number): void;
  memInfo(): [number, number];
  upload(ptr: number, data: Float32Array | Int32Array, t: number): void;
  download(ptr: number, n: number, t: number): Float32Array | Int32Array;
  copy(dst: number, src: number, bytes: number): void;
  sync(): void;
  fill(y: number, t: number, n: number, v: number): void;
  unary(op: number, x: number, tx: number, y: number, ty: number, n: number, a: number, b: number): void;
  binary(op: number, a: number, b: number, tin: number, y: number, ty: number, g: Int32Array): void;
  select(c: number, a: number, b: number, t: number, y: number, g: Int32Array): void;
  stridedCopy(x: number, tx: number, y: number, ty: number, g: Int32Array): void;
  reduce(op: number, x: number, tx: number, y: number, ty: number, rows: number, cols: number): void;
  softmax(x: number, y: number, t: number, rows: number, cols: number): void;
  gather(x: number, t: number, idx: number, y: number, outer: number, axisDim: number, inner: number, nIdx: number): void;
  segmentSum(x: number, tx: number, seg: number, y: number, ty: number, rows: number, inner: number, numSeg: number): void;
  random(y: number, t: number, n: number, dist: number, seed: number, offset: number, a: number, b: number): void;
  multinomial(l: number, t: number, out: number, batch: number, classes: number, samples: number, seed: number, norm: boolean): void;
  topk(x: number, t: number, vals: number, idx: number, rows: number, cols: number, k: number): void;
  matmul(a: number, b: number, c: number, t: number, batch: number, m: number, n: number, k: number, ta: boolean,
    tb: boolean, sa: number, sb: number, sc: number, tf32: boolean, naive: boolean): number;
}

const ADDON_FILE = 'softcot_cuda.node';

/** Where the addon is looked for, in order. */
export function addonCandidates(): string[] {
  const out: string[] = [];
  if (process.env.SOFTCOT_CUDA_ADDON) out.push(resolve(process.env.SOFTCOT_CUDA_ADDON));
  let here: string | undefined;
  try {
    here = dirname(fileURLToPath(import.meta.url));
  } catch {
    here = undefined;
  }
  if (here) {
    out.push(join(here, ADDON_FILE)); // next to a bundle (.gpu/)
    out.push(join(here, '..', 'build', ADDON_FILE)); // packages/backend-cuda/dist -> build
    out.push(join(here, '..', '..', 'build', ADDON_FILE)); // packages/backend-cuda/src/device -> build
  }
  out.push(join(process.cwd(), 'packages', 'backend-cuda', 'build', ADDON_FILE));
  return [...new Set(out)];
}

export type AddonLoad = { ok: true; addon: NativeAddon; path: string } | { ok: false; reason: string };

let cached: AddonLoad | undefined;

/** Load the addon once; never throws. */
export function loadAddon(candidates?: string[]): AddonLoad {
  if (cached && !candidates) return cached;
  const tried: string[] = [];
  const req = createRequire(import.meta.url);
  for (const p of candidates ?? addonCandidates()) {
    if (!existsSync(p)) {
      tried.push(`${p} (not found)`);
      continue;
    }
    try {
      const addon = req(p) as NativeAddon;
      const r: AddonLoad = { ok: true, addon, path: p };
      if (!candidates) cached = r;
      return r;
    } catch (e) {
      tried.push(`${p} (${(e as Error).message.split('\n')[0]})`);
    }
  }
  const r: AddonLoad = {
    ok: false,
    reason: `native addon ${ADDON_FILE} is not built or does not load (run scripts/build-cuda.sh; tried: ${tried.join(', ')})`,
  };
  if (!candidates) cached = r;
  return r;
}

/** Tests only: forget the cached load result. */
export function resetAddonCache(): void {
  cached = undefined;
}

export class NativeDevice implements DeviceApi {
  readonly kind = 'native' as const;
  constructor(private readonly a: NativeAddon) {}
  info(): DeviceInfo {
    return this.a.init();
  }
  loadBlas(userDir?: string): BlasInfo {
    const r = this.a.loadCublas(userDir ?? '');
    return { ok: r.ok, path: r.path, cublasPath: r.cublasPath || undefined, tried: r.tried.split('\n').filter(Boolean),
      error: r.error || undefined, version: r.version };
  }
  rawMalloc(bytes: number): Ptr { return this.a.rawMalloc(bytes); }
  rawFree(ptr: Ptr): void { this.a.rawFree(ptr); }
  memInfo(): { free: number; total: number } {
    const [free, total] = this.a.memInfo();
    return { free, total };
  }
  upload(ptr: Ptr, t: DevType, data: Float32Array | Int32Array): void { this.a.upload(ptr, data, t); }
  download(ptr: Ptr, t: DevType, n: number): Float32Array | Int32Array { return this.a.download(ptr, n, t); }
  copy(dst: Ptr, src: Ptr, bytes: number): void { this.a.copy(dst, src, bytes); }
  sync(): void { this.a.sync(); }
  fill(y: Ptr, t: DevType, n: number, value: number): void { this.a.fill(y, t, n, value); }
  unary(op: UnaryOp, x: Ptr, tx: DevType, y: Ptr, ty: DevType, n: number, a: number, b: number): void {
    this.a.unary(op, x, tx, y, ty, n, a, b);
  }
  binary(op: BinaryOp, a: Ptr, b: Ptr, tin: DevType, y: Ptr, ty: DevType, geom: PackedGeom): void {
    this.a.binary(op, a, b, tin, y, ty, geom);
  }
  select(cond: Ptr, a: Ptr, b: Ptr, t: DevType, y: Ptr, geom: PackedGeom): void { this.a.select(cond, a, b, t, y, geom); }
  stridedCopy(x: Ptr, tx: DevType, y: Ptr, ty: DevType, geom: PackedGeom): void { this.a.stridedCopy(x, tx, y, ty, geom); }
  reduce(op: ReduceOp, x: Ptr, tx: DevType, y: Ptr, ty: DevType, rows: number, cols: number): void {
    this.a.reduce(op, x, tx, y, ty, rows, cols);
  }
  softmax(x: Ptr, y: Ptr, t: DevType, rows: number, cols: number): void { this.a.softmax(x, y, t, rows, cols); }
  gather(x: Ptr, t: DevType, idx: Ptr, y: Ptr, outer: number, axisDim: number, inner: number, nIdx: number): void {
    this.a.gather(x, t, idx, y, outer, axisDim, inner, nIdx);
  }
  segmentSum(x: Ptr, tx: DevType, seg: Ptr, y: Ptr, ty: DevType, rows: number, inner: number, numSegments: number): void {
    this.a.segmentSum(x, tx, seg, y, ty, rows, inner, numSegments);
  }
  random(y: Ptr, t: DevType, n: number, dist: RandomDist, seed: number, offset: number, a: number, b: number): void {
    this.a.random(y, t, n, dist, seed, offset, a, b);
  }
  multinomial(logits: Ptr, t: DevType, out: Ptr, batch: number, classes: number, samples: number, seed: number,
    normalized: boolean): void {
    this.a.multinomial(logits, t, out, batch, classes, samples, seed, normalized);
  }
  topk(x: Ptr, t: DevType, vals: Ptr, idx: Ptr, rows: number, cols: number, k: number): void {
    this.a.topk(x, t, vals, idx, rows, cols, k);
  }
  matmul(a: Ptr, b: Ptr, c: Ptr, t: DevType, batch: number, m: number, n: number, k: number, transA: boolean,
    transB: boolean, strideA: number, strideB: number, strideC: number, allowTf32: boolean, forceNaive: boolean): number {
    return this.a.matmul(a, b, c, t, batch, m, n, k, transA, transB, strideA, strideB, strideC, allowTf32, forceNaive);
  }
}
