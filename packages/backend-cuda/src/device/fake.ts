/**
 * FakeDevice: the DeviceApi on host typed arrays. It is the executable specification of the native kernels
 * (same op codes, same bf16 rounding, same Philox stream) and lets the whole backend run under vitest on a machine
 * without a GPU. It is slow and meant for tests only.
 */
import {
  BOP, DT, ROP, RNG, UOP, dtBytes,
  type BinaryOp, type BlasInfo, type DeviceApi, type DeviceInfo, type DevType, type PackedGeom, type Ptr,
  type RandomDist, type ReduceOp, type UnaryOp,
} from './api';
import { bf16BitsToF32, f32ToBf16Bits } from './bf16';
import { philox4x32_10, split64, u24 } from './philox';

interface Block { bytes: number; buf: ArrayBuffer }

export interface FakeDeviceOptions {
  /** Device memory capacity in bytes (default 1 GiB); rawMalloc returns 0 past it, like cudaMalloc. */
  totalBytes?: number;
  name?: string;
}

const fr = Math.fround;

export class FakeDevice implements DeviceApi {
  readonly kind = 'fake' as const;
  readonly totalBytes: number;
  readonly name: string;
  private blocks = new Map<Ptr, Block>();
  private used = 0;
  private next = 0x10000;
  /** Counters for tests: how many raw allocations and kernel launches happened. */
  readonly counters = { rawMalloc: 0, rawFree: 0, launches: 0, copies: 0, uploads: 0, downloads: 0 };

  constructor(opts: FakeDeviceOptions = {}) {
    this.totalBytes = opts.totalBytes ?? 1 << 30;
    this.name = opts.name ?? 'FakeDevice (host memory)';
  }

  info(): DeviceInfo {
    return { ok: true, name: this.name, major: 0, minor: 0, smCount: 1, totalMem: this.totalBytes,
      freeMem: this.totalBytes - this.used, driverVersion: 0, runtimeVersion: 0 };
  }
  loadBlas(): BlasInfo {
    return { ok: true, path: '(fake: host matmul)', tried: [] };
  }
  rawMalloc(bytes: number): Ptr {
    const b = Math.max(1, bytes);
    if (this.used + b > this.totalBytes) return 0;
    const ptr = this.next;
    this.next += Math.ceil(b / 256) * 256 + 256;
    this.blocks.set(ptr, { bytes: b, buf: new ArrayBuffer(b) });
    this.used += b;
    this.counters.rawMalloc++;
    return ptr;
  }
  rawFree(ptr: Ptr): void {
    const blk = this.blocks.get(ptr);
    if (!blk) throw new Error(`FakeDevice: free of unknown pointer ${ptr}`);
    this.used -= blk.bytes;
    this.blocks.delete(ptr);
    this.counters.rawFree++;
  }
  memInfo(): { free: number; total: number } {
    return { free: this.totalBytes - this.used, total: this.totalBytes };
  }
  /** Bytes held by live raw allocations (for tests). */
  get usedBytes(): number {
    return this.used;
  }

  // ---- element access -----------------------------------------------------------------------------------------
  private block(ptr: Ptr, what: string): Block {
    const b = this.blocks.get(ptr);
    if (!b) throw new Error(`FakeDevice: ${what}: unknown pointer ${ptr}`);
    return b;
  }
  private view(ptr: Ptr, t: DevType, what: string): Float32Array | Uint16Array | Int32Array {
    const b = this.block(ptr, what);
    return t === DT.F32 ? new Float32Array(b.buf) : t === DT.BF16 ? new Uint16Array(b.buf) : new Int32Array(b.buf);
  }
  private reader(ptr: Ptr, t: DevType, what: string): (i: number) => number {
    const v = this.view(ptr, t, what);
    if (t === DT.BF16) return (i) => { this.bounds(v, i, what); return bf16BitsToF32(v[i]!); };
    return (i) => { this.bounds(v, i, what); return v[i]!; };
  }
  private writer(ptr: Ptr, t: DevType, what: string): (i: number, x: number) => void {
    const v = this.view(ptr, t, what);
    if (t === DT.BF16) return (i, x) => { this.bounds(v, i, what); v[i] = f32ToBf16Bits(x); };
    if (t === DT.I32) return (i, x) => { this.bounds(v, i, what); v[i] = Number.isNaN(x) ? 0 : Math.trunc(Math.max(-2147483648, Math.min(2147483520, x))); };
    return (i, x) => { this.bounds(v, i, what); v[i] = x; };
  }
  private bounds(v: { length: number }, i: number, what: string): void {
    if (!(i >= 0 && i < v.length)) throw new Error(`FakeDevice: ${what}: out-of-bounds access ${i} of ${v.length}`);
  }

  upload(ptr: Ptr, t: DevType, data: Float32Array | Int32Array): void {
    this.counters.uploads++;
    const w = this.writer(ptr, t, 'upload');
    if (t === DT.I32 && !(data instanceof Int32Array)) throw new Error('FakeDevice: upload: i32 needs an Int32Array');
    if (t !== DT.I32 && !(data instanceof Float32Array)) throw new Error('FakeDevice: upload: float needs a Float32Array');
    for (let i = 0; i < data.length; i++) w(i, data[i]!);
  }
  download(ptr: Ptr, t: DevType, n: number): Float32Array | Int32Array {
    this.counters.downloads++;
    const out = t === DT.I32 ? new Int32Array(n) : new Float32Array(n);
    if (n === 0) return out;
    const r = this.reader(ptr, t, 'download');
    for (let i = 0; i < n; i++) out[i] = r(i);
    return out;
  }
  copy(dst: Ptr, src: Ptr, bytes: number): void {
    this.counters.copies++;
    if (bytes === 0) return;
    const d = this.block(dst, 'copy'), s = this.block(src, 'copy');
    if (bytes > d.bytes || bytes > s.bytes) throw new Error('FakeDevice: copy out of bounds');
    new Uint8Array(d.buf).set(new Uint8Array(s.buf, 0, bytes));
  }
  sync(): void {}

  // ---- kernels ------------------------------------------------------------------------------------------------
  fill(y: Ptr, t: DevType, n: number, value: number): void {
    this.counters.launches++;
    if (n === 0) return;
    const w = this.writer(y, t, 'fill');
    for (let i = 0; i < n; i++) w(i, value);
  }

  unary(op: UnaryOp, x: Ptr, tx: DevType, y: Ptr, ty: DevType, n: number, a: number, b: number): void {
    this.counters.launches++;
    if (n === 0) return;
    const r = this.reader(x, tx, 'unary'), w = this.writer(y, ty, 'unary');
    const intPath = tx === DT.I32 && ty === DT.I32;
    for (let i = 0; i < n; i++) w(i, intPath ? unaryI(op, r(i), a, b) : fr(unaryF(op, r(i), a, b)));
  }

  binary(op: BinaryOp, a: Ptr, b: Ptr, tin: DevType, y: Ptr, ty: DevType, geom: PackedGeom): void {
    this.counters.launches++;
    const g = unpackGeom(geom, 2);
    if (g.n === 0) return;
    const ra = this.reader(a, tin, 'binary a'), rb = this.reader(b, tin, 'binary b'), w = this.writer(y, ty, 'binary');
    const intPath = tin === DT.I32 && ty === DT.I32 && op !== BOP.DIV && op !== BOP.POW;
    forEachStrided(g, (i, off) => {
      const va = ra(off[0]!), vb = rb(off[1]!);
      w(i, intPath ? binaryI(op, va, vb) : fr(binaryF(op, va, vb)));
    });
  }

  select(cond: Ptr, a: Ptr, b: Ptr, t: DevType, y: Ptr, geom: PackedGeom): void {
    this.counters.launches++;
    const g = unpackGeom(geom, 3);
    if (g.n === 0) return;
    const rc = this.reader(cond, DT.I32, 'select cond'), ra = this.reader(a, t, 'select a'), rb = this.reader(b, t, 'select b');
    const w = this.writer(y, t, 'select');
    forEachStrided(g, (i, off) => w(i, rc(off[0]!) !== 0 ? ra(off[1]!) : rb(off[2]!)));
  }

  stridedCopy(x: Ptr, tx: DevType, y: Ptr, ty: DevType, geom: PackedGeom): void {
    this.counters.launches++;
    const g = unpackGeom(geom, 2);
    if (g.n === 0) return;
    const r = this.reader(x, tx, 'stridedCopy x'), w = this.writer(y, ty, 'stridedCopy y');
    forEachStrided(g, (_i, off) => w(off[1]!, r(off[0]!)));
  }

  reduce(op: ReduceOp, x: Ptr, tx: DevType, y: Ptr, ty: DevType, rows: number, cols: number): void {
    this.counters.launches++;
    if (rows === 0) return;
    const r = cols > 0 ? this.reader(x, tx, 'reduce') : () => 0;
    const w = this.writer(y, ty, 'reduce');
    const intPath = tx === DT.I32 && ty === DT.I32;
    for (let row = 0; row < rows; row++) {
      const base = row * cols;
      if (op === ROP.SUM || op === ROP.MEAN) {
        let s = 0;
        for (let j = 0; j < cols; j++) s = intPath ? s + r(base + j) : fr(s + r(base + j));
        if (op === ROP.MEAN) s = intPath ? Math.trunc(s / cols) : fr(s / cols);
        w(row, s);
      } else {
        const wantMax = op === ROP.MAX || op === ROP.ARGMAX;
        let best = NaN, bi = -1;
        for (let j = 0; j < cols; j++) {
          const v = r(base + j);
          if (Number.isNaN(v)) continue;
          if (bi < 0 || (wantMax ? v > best : v < best)) { best = v; bi = j; }
        }
        if (op === ROP.ARGMAX || op === ROP.ARGMIN) w(row, bi < 0 ? 0 : bi);
        else w(row, bi < 0 ? NaN : best);
      }
    }
  }

  softmax(x: Ptr, y: Ptr, t: DevType, rows: number, cols: number): void {
    this.counters.launches++;
    if (rows === 0 || cols === 0) return;
    const r = this.reader(x, t, 'softmax'), w = this.writer(y, t, 'softmax');
    for (let row = 0; row < rows; row++) {
      const base = row * cols;
      let m = -Infinity;
      for (let j = 0; j < cols; j++) m = Math.max(m, r(base + j));
      let s = 0;
      for (let j = 0; j < cols; j++) s += Math.exp(r(base + j) - m);
      for (let j = 0; j < cols; j++) w(base + j, fr(Math.exp(r(base + j) - m) / s));
    }
  }

  gather(x: Ptr, t: DevType, idx: Ptr, y: Ptr, outer: number, axisDim: number, inner: number, nIdx: number): void {
    this.counters.launches++;
    const n = outer * nIdx * inner;
    if (n === 0) return;
    const r = this.reader(x, t, 'gather x'), ri = this.reader(idx, DT.I32, 'gather idx'), w = this.writer(y, t, 'gather y');
    for (let e = 0; e < n; e++) {
      const i = e % inner, j = Math.floor(e / inner) % nIdx, o = Math.floor(e / (inner * nIdx));
      const src = ri(j);
      w(e, src < 0 || src >= axisDim ? 0 : r((o * axisDim + src) * inner + i));
    }
  }

  segmentSum(x: Ptr, tx: DevType, seg: Ptr, y: Ptr, ty: DevType, rows: number, inner: number, numSegments: number): void {
    this.counters.launches++;
    if (ty === DT.BF16) throw new Error('FakeDevice: segmentSum output must be f32 or i32');
    if (ty === DT.I32 && tx !== DT.I32) throw new Error('FakeDevice: segmentSum i32 output needs i32 input');
    const w = this.writer(y, ty, 'segmentSum y'), ry = this.reader(y, ty, 'segmentSum y');
    for (let i = 0; i < numSegments * inner; i++) w(i, 0);
    if (rows * inner === 0) return;
    const r = this.reader(x, tx, 'segmentSum x'), rs = this.reader(seg, DT.I32, 'segmentSum seg');
    for (let e = 0; e < rows * inner; e++) {
      const row = Math.floor(e / inner), i = e % inner, s = rs(row);
      if (s >= 0 && s < numSegments) w(s * inner + i, ty === DT.I32 ? ry(s * inner + i) + r(e) : fr(ry(s * inner + i) + r(e)));
    }
  }

  random(y: Ptr, t: DevType, n: number, dist: RandomDist, seed: number, offset: number, a: number, b: number): void {
    this.counters.launches++;
    if (n === 0) return;
    const w = this.writer(y, t, 'random');
    const [k0, k1] = split64(seed);
    const [o0, o1] = split64(offset);
    const groups = Math.ceil(n / 4);
    for (let gi = 0; gi < groups; gi++) {
      const [g0, g1] = split64(gi);
      const ws = philox4x32_10([g0, g1, o0, o1], k0, k1);
      const v: number[] = [];
      if (dist === RNG.UNIFORM) {
        for (let q = 0; q < 4; q++) v.push(fr(a + fr(fr(b - a) * u24(ws[q]!))));
      } else {
        for (let q = 0; q < 4; q += 2) {
          const rr = Math.sqrt(-2 * Math.log(u24(ws[q]!) + 1 / 16777216));
          const th = 2 * Math.PI * u24(ws[q + 1]!);
          v.push(fr(a + b * rr * Math.cos(th)), fr(a + b * rr * Math.sin(th)));
        }
      }
      for (let q = 0; q < 4; q++) if (gi * 4 + q < n) w(gi * 4 + q, v[q]!);
    }
  }

  multinomial(logits: Ptr, t: DevType, out: Ptr, batch: number, classes: number, samples: number, seed: number,
    normalized: boolean): void {
    this.counters.launches++;
    if (batch === 0 || samples === 0) return;
    const r = this.reader(logits, t, 'multinomial'), w = this.writer(out, DT.I32, 'multinomial out');
    const [k0, k1] = split64(seed);
    for (let row = 0; row < batch; row++) {
      const base = row * classes;
      let m = 0;
      if (!normalized) { m = -Infinity; for (let j = 0; j < classes; j++) m = Math.max(m, r(base + j)); }
      const p = new Float64Array(classes);
      let total = 0;
      for (let j = 0; j < classes; j++) {
        p[j] = normalized ? Math.max(r(base + j), 0) : Math.exp(r(base + j) - m);
        total += p[j]!;
      }
      for (let q = 0; q < samples; q++) {
        const [c0, c1] = split64(row * samples + q);
        const u = u24(philox4x32_10([c0, c1, 0, 0], k0, k1)[0]);
        const target = u * total;
        let c = 0, pick = -1;
        for (let j = 0; j < classes; j++) {
          if (p[j]! > 0) pick = j;
          c += p[j]!;
          if (c > target && p[j]! > 0) break;
        }
        w(row * samples + q, pick < 0 ? 0 : pick);
      }
    }
  }

  topk(x: Ptr, t: DevType, vals: Ptr, idx: Ptr, rows: number, cols: number, k: number): void {
    this.counters.launches++;
    if (rows === 0 || k === 0) return;
    const r = this.reader(x, t, 'topk'), wv = this.writer(vals, t, 'topk vals'), wi = this.writer(idx, DT.I32, 'topk idx');
    for (let row = 0; row < rows; row++) {
      const order: number[] = [];
      for (let j = 0; j < cols; j++) if (!Number.isNaN(r(row * cols + j))) order.push(j);
      order.sort((p, q) => r(row * cols + q) - r(row * cols + p) || p - q);
      for (let p = 0; p < k; p++) {
        const j = order[p];
        wi(row * k + p, j ?? 0);
        wv(row * k + p, j === undefined ? NaN : r(row * cols + j));
      }
    }
  }

  matmul(a: Ptr, b: Ptr, c: Ptr, t: DevType, batch: number, m: number, n: number, k: number, transA: boolean,
    transB: boolean, strideA: number, strideB: number, strideC: number): number {
    this.counters.launches++;
    if (batch * m * n === 0) return 0;
    const w = this.writer(c, t, 'matmul c');
    const ra = k > 0 ? this.reader(a, t, 'matmul a') : () => 0, rb = k > 0 ? this.reader(b, t, 'matmul b') : () => 0;
    for (let z = 0; z < batch; z++) {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let q = 0; q < k; q++) {
            const av = ra(z * strideA + (transA ? q * m + i : i * k + q));
            const bv = rb(z * strideB + (transB ? j * k + q : q * n + j));
            s += av * bv;
          }
          w(z * strideC + i * n + j, fr(s));
        }
      }
    }
    return 0;
  }
}

// ---- shared host semantics (also the reference for the CUDA kernels) ---------------------------------------------
function unaryF(op: UnaryOp, x: number, a: number, b: number): number {
  switch (op) {
    case UOP.COPY: return x;
    case UOP.NEG: return -x;
    case UOP.EXP: return Math.exp(x);
    case UOP.LOG: return Math.log(x);
    case UOP.SQRT: return Math.sqrt(x);
    case UOP.RSQRT: return 1 / Math.sqrt(x);
    case UOP.SQUARE: return x * x;
    case UOP.SIGMOID: return 1 / (1 + Math.exp(-x));
    case UOP.CLIP: return Math.min(Math.max(x, a), b);
    case UOP.ABS: return Math.abs(x);
    case UOP.TANH: return Math.tanh(x);
    case UOP.RELU: return x > 0 ? x : 0;
    case UOP.FLOOR: return Math.floor(x);
    case UOP.NOTZERO: return x !== 0 ? 1 : 0;
    case UOP.LOGICAL_NOT: return x !== 0 ? 0 : 1;
    case UOP.STEP: return Number.isNaN(x) ? x : x > 0 ? 1 : a;
  }
  return NaN;
}
function unaryI(op: UnaryOp, x: number, a: number, b: number): number {
  switch (op) {
    case UOP.COPY: return x;
    case UOP.NEG: return -x | 0;
    case UOP.SQUARE: return Math.imul(x, x);
    case UOP.ABS: return Math.abs(x) | 0;
    case UOP.RELU: return x > 0 ? x : 0;
    case UOP.FLOOR: return x;
    case UOP.CLIP: return Math.trunc(Math.min(Math.max(x, a), b));
    case UOP.NOTZERO: return x !== 0 ? 1 : 0;
    case UOP.LOGICAL_NOT: return x === 0 ? 1 : 0;
  }
  return Math.trunc(fr(unaryF(op, x, a, b)));
}
function binaryF(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case BOP.ADD: return a + b;
    case BOP.SUB: return a - b;
    case BOP.MUL: return a * b;
    case BOP.DIV: return a / b;
    case BOP.POW: return Math.pow(a, b);
    case BOP.MAX: return Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b);
    case BOP.MIN: return Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b);
    case BOP.GREATER: return a > b ? 1 : 0;
    case BOP.GREATER_EQ: return a >= b ? 1 : 0;
    case BOP.LESS: return a < b ? 1 : 0;
    case BOP.LESS_EQ: return a <= b ? 1 : 0;
    case BOP.EQUAL: return a === b ? 1 : 0;
    case BOP.NOT_EQUAL: return a !== b ? 1 : 0;
    case BOP.LOGICAL_AND: return a !== 0 && b !== 0 ? 1 : 0;
    case BOP.LOGICAL_OR: return a !== 0 || b !== 0 ? 1 : 0;
  }
  return NaN;
}
function binaryI(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case BOP.ADD: return (a + b) | 0;
    case BOP.SUB: return (a - b) | 0;
    case BOP.MUL: return Math.imul(a, b);
    case BOP.MAX: return Math.max(a, b);
    case BOP.MIN: return Math.min(a, b);
  }
  return binaryF(op, a, b);
}

export interface Geom {
  rank: number;
  n: number;
  shape: number[];
  stride: number[][];
  offset: number[];
  mod: number[];
}

export function unpackGeom(p: PackedGeom, nOps: number): Geom {
  const rank = p[0]!, ops = p[1]!;
  if (ops !== nOps) throw new Error(`geometry has ${ops} operands, expected ${nOps}`);
  let q = 2;
  const shape = Array.from(p.subarray(q, q + rank)); q += rank;
  const stride: number[][] = [];
  for (let k = 0; k < ops; k++) { stride.push(Array.from(p.subarray(q, q + rank))); q += rank; }
  const offset = Array.from(p.subarray(q, q + ops)); q += ops;
  const mod = Array.from(p.subarray(q, q + rank));
  return { rank, n: shape.reduce((x, y) => x * y, 1), shape, stride, offset, mod };
}

/** Calls f(i, offsets) for each output element i in row-major order (the CUDA kernels' index math). */
export function forEachStrided(g: Geom, f: (i: number, off: number[]) => void): void {
  const nOps = g.stride.length;
  const off = new Array<number>(nOps).fill(0);
  for (let i = 0; i < g.n; i++) {
    for (let k = 0; k < nOps; k++) off[k] = g.offset[k]!;
    let rem = i;
    for (let d = g.rank - 1; d >= 0; d--) {
      const c = rem % g.shape[d]!;
      rem = Math.floor(rem / g.shape[d]!);
      for (let k = 0; k < nOps; k++) {
        const ck = k === 0 && g.mod[d]! > 0 ? c % g.mod[d]! : c;
        off[k]! += ck * g.stride[k]![d]!;
      }
    }
    f(i, off);
  }
}

export { dtBytes };
