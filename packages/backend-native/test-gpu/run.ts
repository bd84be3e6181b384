/**
 * GPU checks for the cuda device of the native backend. Bundled into one file by scripts/gpu-pack.sh and run on the
 * GPU machine by .gpu/unpack-and-run.sh (or locally: node scripts/test-gpu.mjs when the addon is built and a GPU is
 * present). The reference for the primitives is the cpu device (the same kernel math, kernel_math.h, run on the
 * host), so both addons travel in the bundle.
 *
 *   node run.mjs [--only=name,name] [--out=results.json] [--quick] [--device=cpu]
 *
 * --device=cpu runs the harness with the cpu device under test (checks the harness itself without a GPU).
 *
 * Checks (each prints one row of the final table):
 *   device       addon loads, GPU opens, cuBLASLt found (path, version)
 *   prims-f32    every DeviceApi primitive on the GPU vs the cpu device, f32 storage (outputs poisoned first)
 *   prims-bf16   the same with bf16 storage
 *   tfjs-fp32    tfjs ops on backend 'cuda' vs 'cpu' (forward + gradients), fp32, tol 1e-4
 *   tfjs-bf16    the same under precision 'bf16', tol 2e-2
 *   memory       allocator reuse, tf.memory() accounting, OOM as a JS error and recovery
 *   gemm         bf16 / fp32 / tf32 GEMM TFLOP/s (sync + wall clock, median of repeats) vs the 790 TFLOP/s floor
 *   copy         device-to-device copy bandwidth vs ~3 TB/s
 *   model-fp32   Llama / Qwen2 / Qwen3 / Qwen2.5-0.5B-shaped random checkpoints: logits on cuda vs cpu, tol 1e-4
 *   model-bf16   the same under precision 'bf16', tol 2e-2
 *   decode       32 greedy KV-cached tokens on cuda equal the cpu tokens (fp32)
 *   rloo-step    one soft-mode RLOO loss and gradient norm on cuda vs cpu (same trajectories), fp32 1e-4
 *   decode-0.5b  one KV-cached decode step of the Qwen2.5-0.5B shape: median ms
 */
import * as tf from '@tensorflow/tfjs';
import { writeFileSync } from 'node:fs';
import {
  BOP, DT, DeviceOutOfMemoryError, NativeBackend, NativeDevice, ROP, UOP, isNativeAvailable, loadAddon,
  registerNativeBackend, type DeviceApi, type DeviceKind, type DevType,
} from '../src/index';
import { broadcastStrides, contiguousStrides, packGeom } from '../src/geom';
import { modelChecks } from './model-checks';

type Status = 'pass' | 'fail' | 'skip';
interface Row { name: string; status: Status; detail: string; ms: number }
const rows: Row[] = [];
const args = new Map(process.argv.slice(2).map((a) => { const [k, v] = a.replace(/^--/, '').split('='); return [k!, v ?? '1']; }));
const only = args.get('only')?.split(',');
const quick = args.has('quick');
/** The device under test: cuda, or cpu to check the harness itself on a machine without a GPU. */
const dut = (args.get('device') ?? 'cuda') as DeviceKind;
const onGpu = dut === 'cuda';

async function check(name: string, f: () => Promise<string> | string): Promise<void> {
  if (only && !only.includes(name)) return;
  const t0 = performance.now();
  try {
    const detail = await f();
    rows.push({ name, status: detail.startsWith('SKIP') ? 'skip' : 'pass', detail: detail.replace(/^SKIP:?\s*/, ''), ms: performance.now() - t0 });
  } catch (e) {
    rows.push({ name, status: 'fail', detail: ((e as Error).stack ?? String(e)).split('\n').slice(0, 3).join(' | '), ms: performance.now() - t0 });
  }
  const r = rows[rows.length - 1]!;
  console.log(`[${r.status}] ${r.name} (${r.ms.toFixed(0)} ms): ${r.detail}`);
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}
const randF = (n: number, seed: number, scale = 1) => { const r = lcg(seed); return Float32Array.from({ length: n }, () => r() * scale); };
const randI = (n: number, seed: number, hi: number) => { const r = lcg(seed); return Int32Array.from({ length: n }, () => Math.floor((r() + 1) / 2 * hi)); };

/** max |a - b| / max |b|: the error relative to the tensor's scale (used for whole tfjs outputs). */
function scaledErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0, s = 0;
  for (let i = 0; i < b.length; i++) s = Math.max(s, Math.abs(b[i]!));
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]!) !== Number.isNaN(b[i]!)) return Infinity;
    if (!Number.isNaN(a[i]!)) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  }
  return m / (s || 1);
}

function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!, y = b[i]!;
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    if (Number.isNaN(x) !== Number.isNaN(y)) return Infinity;
    if (x === y) continue;
    m = Math.max(m, Math.abs(x - y) / (1 + Math.abs(y)));
  }
  return m;
}

/** The same buffers on the device under test and on the cpu device (the reference). */
class Pair {
  constructor(readonly gpu: DeviceApi, readonly ref: DeviceApi) {}
  private held: [number, number][] = [];
  buf(n: number, t: DevType, data?: Float32Array | Int32Array): [number, number] {
    const bytes = Math.max(1, n) * (t === DT.BF16 ? 2 : 4);
    const p: [number, number] = [this.gpu.rawMalloc(bytes), this.ref.rawMalloc(bytes)];
    if (!p[0] || !p[1]) throw new Error(`alloc of ${bytes} failed`);
    this.held.push(p);
    if (data) { this.gpu.upload(p[0], t, data); this.ref.upload(p[1], t, data); }
    else if (t !== DT.I32) { this.gpu.fill(p[0], t, n, NaN); this.ref.fill(p[1], t, n, NaN); } // poison
    else { this.gpu.fill(p[0], t, n, -777); this.ref.fill(p[1], t, n, -777); }
    return p;
  }
  cmp(p: [number, number], n: number, t: DevType): number {
    this.gpu.sync();
    return maxRelErr(this.gpu.download(p[0], t, n), this.ref.download(p[1], t, n));
  }
  free(): void {
    for (const [g, r] of this.held) { this.gpu.rawFree(g); this.ref.rawFree(r); }
    this.held = [];
  }
}

function primitives(gpu: DeviceApi, ref: DeviceApi, t: DevType): string {
  const P = new Pair(gpu, ref);
  const tol = t === DT.BF16 ? 1e-2 : 2e-6;
  const errs: [string, number][] = [];
  const rec = (name: string, e: number, lim = tol) => { errs.push([name, e]); if (!(e <= lim)) throw new Error(`${name}: max rel err ${e} > ${lim}`); };
  const n = 4099;
  const xf = randF(n, 1, 3);
  const x = P.buf(n, t, xf);
  const xpos = P.buf(n, t, xf.map((v) => Math.abs(v) + 0.1));
  for (const [name, op] of Object.entries(UOP)) {
    const src = name === 'LOG' || name === 'SQRT' || name === 'RSQRT' ? xpos : x;
    const y = P.buf(n, t);
    gpu.unary(op, src[0], t, y[0], t, n, -0.5, 0.7);
    ref.unary(op, src[1], t, y[1], t, n, -0.5, 0.7);
    rec(`unary ${name}`, P.cmp(y, n, t), name === 'EXP' || name === 'TANH' ? Math.max(tol, 1e-5) : tol);
  }
  // casts
  const yi = P.buf(n, DT.I32);
  gpu.unary(UOP.COPY, x[0], t, yi[0], DT.I32, n, 0, 0); ref.unary(UOP.COPY, x[1], t, yi[1], DT.I32, n, 0, 0);
  rec('cast f->i32', P.cmp(yi, n, DT.I32), 0);
  const xi = P.buf(n, DT.I32, randI(n, 3, 100));
  const yf = P.buf(n, t);
  gpu.unary(UOP.COPY, xi[0], DT.I32, yf[0], t, n, 0, 0); ref.unary(UOP.COPY, xi[1], DT.I32, yf[1], t, n, 0, 0);
  rec('cast i32->f', P.cmp(yf, n, t), 0);
  // binary with broadcasting: [7, 1, 33] op [5, 1] -> [7, 5, 33]
  const aS = [7, 1, 33], bS = [5, 1], oS = [7, 5, 33];
  const a = P.buf(7 * 33, t, randF(7 * 33, 4, 2).map((v) => Math.abs(v) + 0.2));
  const b = P.buf(5, t, randF(5, 5, 2));
  const geom = packGeom({ shape: oS, strides: [broadcastStrides(aS, oS), broadcastStrides(bS, oS)] }, [0, 0], 'test');
  for (const [name, op] of Object.entries(BOP)) {
    const cmpOp = op >= BOP.GREATER;
    const y = P.buf(7 * 5 * 33, cmpOp ? DT.I32 : t);
    gpu.binary(op, a[0], b[0], t, y[0], cmpOp ? DT.I32 : t, geom);
    ref.binary(op, a[1], b[1], t, y[1], cmpOp ? DT.I32 : t, geom);
    rec(`binary ${name}`, P.cmp(y, 7 * 5 * 33, cmpOp ? DT.I32 : t), cmpOp ? 0 : name === 'POW' ? Math.max(tol, 1e-5) : tol);
  }
  // int binary
  const ia = P.buf(n, DT.I32, randI(n, 6, 1000)), ib = P.buf(n, DT.I32, randI(n, 7, 1000));
  const ig = packGeom({ shape: [n], strides: [[1], [1]] }, [0, 0], 'test');
  for (const op of [BOP.ADD, BOP.SUB, BOP.MUL, BOP.MAX, BOP.GREATER]) {
    const y = P.buf(n, DT.I32);
    gpu.binary(op, ia[0], ib[0], DT.I32, y[0], DT.I32, ig); ref.binary(op, ia[1], ib[1], DT.I32, y[1], DT.I32, ig);
    rec(`binary i32 ${op}`, P.cmp(y, n, DT.I32), 0);
  }
  // select (row condition) and strided copy (transpose + tile wrap)
  const c = P.buf(7, DT.I32, Int32Array.from([1, 0, 1, 1, 0, 0, 1]));
  const sa = P.buf(7 * 33, t, randF(7 * 33, 8)), sb = P.buf(7 * 33, t, randF(7 * 33, 9));
  const sy = P.buf(7 * 33, t);
  const sg = packGeom({ shape: [7, 33], strides: [[1, 0], [33, 1], [33, 1]] }, [0, 0, 0], 'test');
  gpu.select(c[0], sa[0], sb[0], t, sy[0], sg); ref.select(c[1], sa[1], sb[1], t, sy[1], sg);
  rec('select', P.cmp(sy, 7 * 33, t), 0);
  const shp = [3, 17, 64], perm = [2, 0, 1], out = perm.map((p) => shp[p]!);
  const xs = contiguousStrides(shp);
  const tx = P.buf(3 * 17 * 64, t, randF(3 * 17 * 64, 10));
  const ty = P.buf(3 * 17 * 64, t);
  const tg = packGeom({ shape: out, strides: [perm.map((p) => xs[p]!), contiguousStrides(out)], mod: [0, 0, 0] }, [0, 0], 'test');
  gpu.stridedCopy(tx[0], t, ty[0], t, tg); ref.stridedCopy(tx[1], t, ty[1], t, tg);
  rec('stridedCopy transpose', P.cmp(ty, 3 * 17 * 64, t), 0);
  const tile = P.buf(6 * 34 * 64, t);
  const tileG = packGeom({ shape: [6, 34, 64], strides: [xs, contiguousStrides([6, 34, 64])], mod: [3, 17, 0] }, [0, 0], 'test');
  gpu.stridedCopy(tx[0], t, tile[0], t, tileG); ref.stridedCopy(tx[1], t, tile[1], t, tileG);
  rec('stridedCopy tile', P.cmp(tile, 6 * 34 * 64, t), 0);
  // reductions: wide and narrow rows
  for (const [rowsN, cols] of [[37, 5000], [1000, 3], [2, 151936]] as const) {
    const rx = P.buf(rowsN * cols, t, randF(rowsN * cols, 11, 4));
    for (const [name, op] of Object.entries(ROP)) {
      const arg = op === ROP.ARGMAX || op === ROP.ARGMIN;
      const ry = P.buf(rowsN, arg ? DT.I32 : t);
      gpu.reduce(op, rx[0], t, ry[0], arg ? DT.I32 : t, rowsN, cols); ref.reduce(op, rx[1], t, ry[1], arg ? DT.I32 : t, rowsN, cols);
      rec(`reduce ${name} ${rowsN}x${cols}`, P.cmp(ry, rowsN, arg ? DT.I32 : t), arg ? 0 : op <= ROP.MEAN ? Math.max(tol, 1e-4) : tol);
    }
    const sy2 = P.buf(rowsN * cols, t);
    gpu.softmax(rx[0], sy2[0], t, rowsN, cols); ref.softmax(rx[1], sy2[1], t, rowsN, cols);
    rec(`softmax ${rowsN}x${cols}`, P.cmp(sy2, rowsN * cols, t), Math.max(tol, 1e-5));
    P.free();
  }
  // gather / segment sum (embedding forward and gradient shapes)
  const V = 1000, H = 64, T = 300;
  const emb = P.buf(V * H, t, randF(V * H, 12));
  const ids = P.buf(T, DT.I32, randI(T, 13, V));
  const gy = P.buf(T * H, t);
  gpu.gather(emb[0], t, ids[0], gy[0], 1, V, H, T); ref.gather(emb[1], t, ids[1], gy[1], 1, V, H, T);
  rec('gather', P.cmp(gy, T * H, t), 0);
  const seg = P.buf(V * H, DT.F32);
  gpu.segmentSum(gy[0], t, ids[0], seg[0], DT.F32, T, H, V); ref.segmentSum(gy[1], t, ids[1], seg[1], DT.F32, T, H, V);
  rec('segmentSum', P.cmp(seg, V * H, DT.F32), 1e-5);
  // top-k and multinomial on vocabulary-sized rows
  const VK = 32000, R = 4, K = 20;
  const lg = P.buf(R * VK, t, randF(R * VK, 14, 5));
  const tv = P.buf(R * K, t), ti = P.buf(R * K, DT.I32);
  gpu.topk(lg[0], t, tv[0], ti[0], R, VK, K); ref.topk(lg[1], t, tv[1], ti[1], R, VK, K);
  rec('topk values', P.cmp(tv, R * K, t), 0);
  if (t === DT.F32) rec('topk indices', P.cmp(ti, R * K, DT.I32), 0); // bf16 ties may order differently
  const S = 256;
  const ms = P.buf(R * S, DT.I32);
  gpu.multinomial(lg[0], t, ms[0], R, VK, S, 1234, false); ref.multinomial(lg[1], t, ms[1], R, VK, S, 1234, false);
  gpu.sync();
  const mg = gpu.download(ms[0], DT.I32, R * S), mr = ref.download(ms[1], DT.I32, R * S);
  let diff = 0;
  for (let i = 0; i < mg.length; i++) if (mg[i] !== mr[i]) diff++;
  rec('multinomial draws differing', diff / mg.length, 0.02);
  // matmul: cuBLASLt and the fallback kernel, with transposes and a batch
  for (const naive of [false, true]) {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const B = 3, M = 67, N = 45, Kd = 129;
      const A = P.buf(B * M * Kd, t, randF(B * M * Kd, 15)), Bm = P.buf(B * Kd * N, t, randF(B * Kd * N, 16));
      const C = P.buf(B * M * N, t);
      gpu.matmul(A[0], Bm[0], C[0], t, B, M, N, Kd, ta, tb, M * Kd, Kd * N, M * N, false, naive);
      ref.matmul(A[1], Bm[1], C[1], t, B, M, N, Kd, ta, tb, M * Kd, Kd * N, M * N, false, false);
      rec(`matmul ${naive ? 'built-in' : 'library'} tA=${ta} tB=${tb}`, P.cmp(C, B * M * N, t), t === DT.BF16 ? 2e-2 : 1e-4);
    }
  }
  P.free();
  const worst = errs.reduce((m, e) => (e[1] > m[1] ? e : m), ['', 0] as [string, number]);
  return `${errs.length} comparisons, worst ${worst[0]} ${worst[1].toExponential(2)}`;
}

async function tfjsParity(backend: string, tol: number): Promise<string> {
  const rnd = (shape: number[], seed: number, scale = 1) => tf.tensor(randF(shape.reduce((a, b) => a * b, 1), seed, scale), shape);
  const cases: [string, () => tf.Tensor | tf.Tensor[]][] = [
    ['broadcast arith', () => [rnd([4, 1, 8], 1).add(rnd([3, 8], 2)), rnd([4, 3, 8], 1).mul(rnd([8], 3)).div(rnd([3, 1], 4).abs().add(1))]],
    ['softmax/logsoftmax', () => [rnd([6, 1000], 5, 4).softmax(), rnd([6, 1000], 5, 4).logSoftmax()]],
    ['reductions', () => [rnd([5, 6, 7], 6).sum([0, 2]), rnd([5, 6, 7], 6).mean(1, true), rnd([5, 6, 7], 6).max(-1), rnd([5, 6, 7], 6).argMax(1)]],
    ['shape ops', () => [rnd([2, 3, 4], 7).transpose([2, 0, 1]), tf.concat([rnd([2, 3], 8), rnd([2, 5], 9)], 1), tf.pad(rnd([2, 3], 10), [[1, 1], [0, 2]]), tf.tile(rnd([2, 3], 11), [2, 3]), ...tf.split(rnd([4, 6], 12), [2, 4], 1)]],
    ['gather/segsum/topk', () => { const e = rnd([50, 16], 13); const ids = tf.tensor1d([3, 7, 3, 49], 'int32'); const tk = tf.topk(rnd([3, 100], 14), 5); return [tf.gather(e, ids), tf.unsortedSegmentSum(rnd([4, 16], 15), ids, 50), tk.values, tk.indices]; }],
    ['matmul', () => [tf.matMul(rnd([64, 96], 16), rnd([96, 80], 17)), tf.matMul(rnd([4, 32, 48], 18), rnd([4, 40, 48], 19), false, true)]],
    ['grads', () => {
      const w = tf.variable(rnd([16, 16], 20, 0.3)), emb = tf.variable(rnd([30, 16], 21));
      const ids = tf.tensor2d([[1, 2, 3, 4], [4, 3, 29, 0]], undefined, 'int32');
      const { value, grads } = tf.variableGrads(() => {
        const h = tf.gather(emb, ids);
        const q = tf.matMul(h.reshape([8, 16]), w).reshape([2, 4, 16]);
        const p = tf.softmax(tf.matMul(q, h, false, true).div(4));
        return tf.matMul(p, h).sigmoid().mul(h.square().add(1).rsqrt()).mean();
      }, [w, emb]);
      const r = [value, grads[w.name]!, grads[emb.name]!];
      w.dispose(); emb.dispose();
      return r;
    }],
  ];
  let worst = 0, worstName = '';
  for (const [name, f] of cases) {
    await tf.setBackend('cpu');
    const want = tf.tidy(() => { const o = f(); return (Array.isArray(o) ? o : [o]).map((t) => Array.from(t.dataSync())); });
    await tf.setBackend(backend);
    const got = tf.tidy(() => { const o = f(); return (Array.isArray(o) ? o : [o]).map((t) => Array.from(t.dataSync())); });
    want.forEach((w, i) => { const e = scaledErr(got[i]!, w); if (e > worst) { worst = e; worstName = name; } });
  }
  if (!(worst <= tol)) throw new Error(`worst ${worstName}: ${worst} > ${tol}`);
  return `${cases.length} case groups, worst ${worstName} ${worst.toExponential(2)} (max|err|/max|ref|, tol ${tol})`;
}

function median(xs: number[]): number { const s = xs.slice().sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; }

async function main(): Promise<void> {
  const av = isNativeAvailable(dut);
  const cpuAv = isNativeAvailable('cpu');
  await check('device', () => {
    if (!av.ok) throw new Error(av.reason);
    if (!cpuAv.ok) throw new Error(`the reference needs the cpu device too: ${cpuAv.reason}`);
    const d = av.info!;
    return onGpu
      ? `${d.name} sm_${d.major}${d.minor} ${d.smCount} SMs ${(d.totalMem! / 2 ** 30).toFixed(1)} GiB, driver ${d.driverVersion}, cuBLASLt ${av.blas?.path} v${av.blas?.version ?? '?'}`
      : `cpu device under test: ${d.name}, ${d.threads} threads, GEMM ${av.blas?.name}`;
  });
  if (!av.ok || !cpuAv.ok) return finish();
  const load = loadAddon(dut), cpuLoad = loadAddon('cpu');
  if (!load.ok || !cpuLoad.ok) return finish();
  const gpu = new NativeDevice(load.addon), ref = new NativeDevice(cpuLoad.addon);
  await check('prims-f32', () => primitives(gpu, ref, DT.F32));
  await check('prims-bf16', () => primitives(gpu, ref, DT.BF16));
  const fp32 = registerNativeBackend({ device: dut });
  const bf16 = registerNativeBackend({ device: dut, name: `${fp32}-bf16`, precision: 'bf16' });
  await check('tfjs-fp32', () => tfjsParity(fp32, 1e-4));
  await check('tfjs-bf16', () => tfjsParity(bf16, 2e-2));
  await check('memory', async () => {
    await tf.setBackend(fp32);
    const be = tf.backend() as NativeBackend;
    const m0 = tf.memory();
    for (let i = 0; i < 200; i++) tf.tidy(() => { tf.ones([256, 1024]).mul(2).sum(); });
    const s = be.allocator.stats();
    const m1 = tf.memory();
    if (m1.numTensors !== m0.numTensors) throw new Error(`leaked ${m1.numTensors - m0.numTensors} tensors`);
    const total = av.info!.totalMem!;
    let oom = '';
    try { tf.fill([Math.floor(total / 4 / 1.5), 2], 1); } catch (e) { if (e instanceof DeviceOutOfMemoryError) oom = e.message; else throw e; }
    if (!oom) throw new Error('no OOM error for an allocation larger than the device');
    const ok = tf.tensor([1, 2]).add(1).dataSync();
    if (ok[0] !== 2) throw new Error('backend unusable after OOM');
    return `hits ${s.hits} misses ${s.misses} reserved ${(s.reservedBytes / 2 ** 20).toFixed(1)} MiB; OOM message: ${oom.slice(0, 90)}...`;
  });
  await check('gemm', () => {
    if (!onGpu) return 'SKIP: GPU timing';
    const out: string[] = [];
    const sizes = quick ? [4096] : [4096, 8192];
    for (const [label, t, tf32] of [['bf16', DT.BF16, false], ['tf32', DT.F32, true], ['fp32', DT.F32, false]] as const) {
      for (const s of sizes) {
        const bytes = s * s * (t === DT.BF16 ? 2 : 4);
        const A = gpu.rawMalloc(bytes), B = gpu.rawMalloc(bytes), C = gpu.rawMalloc(bytes);
        gpu.upload(A, t, randF(s * s, 1)); gpu.upload(B, t, randF(s * s, 2)); // never time on zeros
        for (let i = 0; i < 3; i++) gpu.matmul(A, B, C, t, 1, s, s, s, false, false, 0, 0, 0, tf32, false);
        gpu.sync();
        const times: number[] = [];
        for (let i = 0; i < (quick ? 5 : 20); i++) {
          const t0 = performance.now();
          gpu.matmul(A, B, C, t, 1, s, s, s, false, false, 0, 0, 0, tf32, false);
          gpu.sync();
          times.push(performance.now() - t0);
        }
        const ms = median(times), tflops = (2 * s ** 3) / (ms / 1e3) / 1e12;
        out.push(`${label} ${s}: ${tflops.toFixed(0)} TFLOP/s (${ms.toFixed(2)} ms; bf16 floor 790)`);
        gpu.rawFree(A); gpu.rawFree(B); gpu.rawFree(C);
      }
    }
    return out.join('; ');
  });
  await check('copy', () => {
    if (!onGpu) return 'SKIP: GPU timing';
    const bytes = 1 << 30;
    const a = gpu.rawMalloc(bytes), b = gpu.rawMalloc(bytes);
    gpu.copy(b, a, bytes); gpu.sync();
    const times: number[] = [];
    for (let i = 0; i < 10; i++) { const t0 = performance.now(); gpu.copy(b, a, bytes); gpu.sync(); times.push(performance.now() - t0); }
    gpu.rawFree(a); gpu.rawFree(b);
    const tbs = (2 * bytes) / (median(times) / 1e3) / 1e12;
    return `D2D 1 GiB: ${tbs.toFixed(2)} TB/s read+write (H100 ~3.0, H200 ~4.3)`;
  });
  for (const [name, f] of modelChecks({ fp32, bf16, quick: quick || !onGpu, timing: onGpu })) await check(name, f);
  finish();
}

function finish(): void {
  const w = Math.max(...rows.map((r) => r.name.length), 4);
  console.log('\n' + 'check'.padEnd(w) + '  status  ms       detail');
  for (const r of rows) console.log(`${r.name.padEnd(w)}  ${r.status.padEnd(6)}  ${r.ms.toFixed(0).padStart(7)}  ${r.detail}`);
  const outPath = args.get('out') ?? (process.env.OUT ? `${process.env.OUT}/gpu-results.json` : undefined);
  if (outPath) writeFileSync(outPath, JSON.stringify({ when: new Date().toISOString(), rows }, null, 2));
  process.exitCode = rows.some((r) => r.status === 'fail') ? 1 : rows.length === 0 ? 2 : 0;
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
