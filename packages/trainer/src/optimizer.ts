// AdamW with decoupled weight decay, a warm-up + cosine learning-rate schedule, and global-norm clipping.
//   m ← β1 m + (1 − β1) g;  v ← β2 v + (1 − β2) g²
//   p ← p − lr · ( m̂ / (sqrt(v̂) + eps) + wd · p ),  m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t)
// Moments are fp32 tensors, or (moments: 'int8') blockwise 8-bit codes in host memory, updated on the host
// (quantized-moments.ts).
import * as tf from '@tensorflow/tfjs';
import { MOMENT_BLOCK, QuantizedMoment } from './quantized-moments';

export type MomentStorage = 'float32' | 'int8';
export const MOMENT_STORAGES: readonly MomentStorage[] = ['float32', 'int8'];

/** A named array of the optimizer state, as checkpoints store it. */
export interface OptimizerTensor {
  name: string;
  shape: number[];
  data: () => Float32Array;
}

/** The learning rate is not an option: it is given to each `apply` (it follows the schedule). */
export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /** Storage of m and v (default float32). */
  moments?: MomentStorage;
}

export class AdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly moments: MomentStorage;
  /** Number of updates applied so far (t in the bias correction). */
  step = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  private readonly quantized = new Map<string, { m: QuantizedMoment; v: QuantizedMoment }>();

  constructor(private readonly params: Map<string, tf.Variable>, opts: AdamWOptions = {}) {
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0;
    this.moments = opts.moments ?? 'float32';
    if (!MOMENT_STORAGES.includes(this.moments)) throw new Error(`AdamW: moments must be one of ${MOMENT_STORAGES.join(', ')}, got "${String(this.moments)}"`);
    for (const [name, p] of params) {
      if (this.moments === 'int8') {
        this.quantized.set(name, { m: new QuantizedMoment(p.size, true), v: new QuantizedMoment(p.size, false) });
        continue;
      }
      // tf.variable shares its initial tensor's buffer: the zeros are made in a tidy, or their handles would keep the
      // initial buffers alive after the first update replaces them.
      this.m.set(name, tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
      this.v.set(name, tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
    }
  }

  /**
   * Apply one update with the given gradients (by parameter name) times `gradScale` (global-norm clipping scales
   * inside the update, so no clipped copy of every gradient is made) and learning rate. Returns false, changing
   * nothing, when the update would make a weight or a moment NaN or ±Inf (a learning rate of 1e300, a gradient
   * that overflows when squared): every new value is computed and checked first, one parameter at a time (so the
   * check costs a second pass of these elementwise ops, not memory), and only then written.
   */
  apply(grads: Map<string, tf.Tensor>, lr: number, gradScale = 1): boolean {
    const t = this.step + 1;
    if (this.moments === 'int8') {
      const each = (write: boolean) => {
        for (const [name, p] of this.params) {
          const g = grads.get(name);
          if (g && !this.applyQuantized(this.quantized.get(name)!, p, g, lr, t, gradScale, write)) return false;
        }
        return true;
      };
      if (!each(false)) return false;
      each(true);
      this.step = t;
      return true;
    }
    // Σ (x − x) over every new value: 0 when all are finite, NaN otherwise (one read-back for the whole model).
    const present = [...this.params].filter(([name]) => grads.has(name));
    const check = sumOverTensors(present, ([name, p]) => {
      const { m, v, p: np } = this.next(name, p, grads.get(name)!, t, lr, gradScale);
      return tf.add(tf.add(tf.sum(tf.sub(m, m)), tf.sum(tf.sub(v, v))), tf.sum(tf.sub(np, np)));
    });
    if (!Number.isFinite(check)) return false;
    this.step = t;
    // One tidy per parameter: its ~12 temporaries are freed before the next parameter's (one tidy around all of
    // them would hold ~12× the trainable size at once).
    for (const [name, p] of present)
      tf.tidy(() => {
        const { m, v, p: np } = this.next(name, p, grads.get(name)!, t, lr, gradScale);
        this.m.get(name)!.assign(m);
        this.v.get(name)!.assign(v);
        p.assign(np);
      });
    return true;
  }

  /** The moments and weight after update number `t` (1-based) of parameter `name`. */
  private next(name: string, p: tf.Variable, raw: tf.Tensor, t: number, lr: number, gradScale: number): { m: tf.Tensor; v: tf.Tensor; p: tf.Tensor } {
    const { beta1: b1, beta2: b2, eps, weightDecay: wd } = this;
    const g = gradScale === 1 ? raw : tf.mul(raw, gradScale);
    const m = tf.add(tf.mul(this.m.get(name)!, b1), tf.mul(g, 1 - b1));
    const v = tf.add(tf.mul(this.v.get(name)!, b2), tf.mul(tf.square(g), 1 - b2));
    const update = tf.div(tf.div(m, 1 - Math.pow(b1, t)), tf.add(tf.sqrt(tf.div(v, 1 - Math.pow(b2, t))), eps));
    const decayed = wd > 0 ? tf.mul(p, 1 - lr * wd) : p;
    return { m, v, p: tf.sub(decayed, tf.mul(update, lr)) };
  }

  /**
   * The same update on the host, block by block, with m and v in 8-bit codes. With `write` false nothing changes:
   * it only says whether every new value is finite.
   */
  private applyQuantized(q: { m: QuantizedMoment; v: QuantizedMoment }, p: tf.Variable, g: tf.Tensor, lr: number, t: number, gradScale: number, write: boolean): boolean {
    const { beta1: b1, beta2: b2, eps, weightDecay: wd } = this;
    const c1 = 1 - Math.pow(b1, t);
    const c2 = 1 - Math.pow(b2, t);
    const grad = g.dataSync() as Float32Array;
    const values = (p.dataSync() as Float32Array).slice();
    const mb = new Float32Array(MOMENT_BLOCK);
    const vb = new Float32Array(MOMENT_BLOCK);
    for (let b = 0; b < q.m.scales.length; b++) {
      const n = q.m.readBlock(b, mb);
      q.v.readBlock(b, vb);
      for (let i = 0; i < n; i++) {
        const j = b * MOMENT_BLOCK + i;
        const gi = grad[j]! * gradScale;
        mb[i] = b1 * mb[i]! + (1 - b1) * gi;
        vb[i] = b2 * vb[i]! + (1 - b2) * gi * gi;
        const update = mb[i]! / c1 / (Math.sqrt(vb[i]! / c2) + eps);
        values[j] = (wd > 0 ? values[j]! * (1 - lr * wd) : values[j]!) - lr * update;
        if (!write && !(Number.isFinite(values[j]!) && Number.isFinite(mb[i]!) && Number.isFinite(vb[i]!))) return false;
      }
      if (write) {
        q.m.writeBlock(b, mb, n);
        q.v.writeBlock(b, vb, n);
      }
    }
    if (write) tf.tidy(() => p.assign(tf.tensor(values, p.shape)));
    return true;
  }

  /** Bytes of optimizer state: on the backend (fp32 moments) and in host memory (8-bit codes and block scales). */
  get stateBytes(): { device: number; host: number } {
    let device = 0;
    let host = 0;
    for (const t of [...this.m.values(), ...this.v.values()]) device += t.size * 4;
    for (const q of this.quantized.values()) for (const x of [q.m, q.v]) host += x.codes.byteLength + x.scales.byteLength;
    return { device, host };
  }

  /** The state as named fp32 arrays, for checkpoints (8-bit codes are stored as their integer values). */
  state(): { step: number; tensors: OptimizerTensor[] } {
    const tensors: OptimizerTensor[] = [];
    for (const [prefix, moments] of [['m', this.m], ['v', this.v]] as const)
      for (const [name, t] of moments) tensors.push({ name: `${prefix}.${name}`, shape: t.shape, data: () => t.dataSync() as Float32Array });
    for (const [name, q] of this.quantized)
      for (const [prefix, x] of [['m', q.m], ['v', q.v]] as const) {
        tensors.push({ name: `${prefix}.${name}.codes`, shape: [x.size], data: () => Float32Array.from(x.codes) });
        tensors.push({ name: `${prefix}.${name}.scales`, shape: [x.scales.length], data: () => x.scales.slice() });
      }
    return { step: this.step, tensors };
  }

  /** Restore what state() gave; `read` returns the array stored under a name (or throws naming it). */
  restore(step: number, read: (key: string) => Float32Array): void {
    const check = (key: string, data: Float32Array, size: number) => {
      if (data.length !== size) throw new Error(`optimizer state "${key}" has ${data.length} values, expected ${size}`);
      return data;
    };
    this.step = step;
    for (const [prefix, moments] of [['m', this.m], ['v', this.v]] as const)
      for (const [name, t] of moments) {
        const key = `${prefix}.${name}`;
        const data = check(key, read(key), t.size);
        tf.tidy(() => t.assign(tf.tensor(data, t.shape)));
      }
    for (const [name, q] of this.quantized)
      for (const [prefix, x] of [['m', q.m], ['v', q.v]] as const) {
        const codes = check(`${prefix}.${name}.codes`, read(`${prefix}.${name}.codes`), x.size);
        x.codes.set(codes);
        x.scales.set(check(`${prefix}.${name}.scales`, read(`${prefix}.${name}.scales`), x.scales.length));
      }
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
  }
}

export interface ScheduleOptions {
  lr: number;
  warmupSteps: number;
  totalSteps: number;
  schedule?: 'cosine' | 'constant';
  /** Final learning rate as a fraction of lr (cosine). */
  minLrRatio?: number;
}

/** Learning rate for update number `step` (0-based): linear warm-up, then cosine decay (or constant). */
export function learningRate(step: number, o: ScheduleOptions): number {
  if (o.warmupSteps > 0 && step < o.warmupSteps) return (o.lr * (step + 1)) / o.warmupSteps;
  if ((o.schedule ?? 'cosine') === 'constant') return o.lr;
  const span = Math.max(1, o.totalSteps - o.warmupSteps);
  const progress = Math.min(1, (step - o.warmupSteps) / span);
  const floor = o.minLrRatio ?? 0;
  return o.lr * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}

/** Global L2 norm of the gradients (NaN/Inf propagate, so the caller can detect them). */
export function globalNorm(grads: Iterable<tf.Tensor>): number {
  return Math.sqrt(sumOverTensors(grads, (g) => tf.sum(tf.square(g))));
}

/**
 * Σ_g f(g) as a float32 scalar summed on the backend in order; each term's temporaries (g-sized) are freed before
 * the next term is computed.
 */
export function sumOverTensors<T>(items: Iterable<T>, f: (item: T) => tf.Scalar | tf.Tensor): number {
  let total = tf.scalar(0);
  for (const item of items) {
    const next = tf.tidy(() => tf.add(total, f(item)) as tf.Scalar);
    total.dispose();
    total = next;
  }
  const value = total.dataSync()[0]!;
  total.dispose();
  return value;
}

/** The factor that brings a global gradient norm down to maxNorm (1 when it is already below). */
export function clipScale(norm: number, maxNorm: number): number {
  return norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
}
