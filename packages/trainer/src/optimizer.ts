// AdamW with decoupled weight decay, a warm-up + cosine learning-rate schedule, and global-norm clipping.
//   m ← β1 m + (1 − β1) g;  v ← β2 v + (1 − β2) g²
//   p ← p − lr · ( m̂ / (sqrt(v̂) + eps) + wd · p ),  m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t)
import * as tf from '@tensorflow/tfjs';

/** The learning rate is not an option: it is given to each `apply` (it follows the schedule). */
export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

export class AdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** Number of updates applied so far (t in the bias correction). */
  step = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  constructor(private readonly params: Map<string, tf.Variable>, opts: AdamWOptions = {}) {
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0;
    for (const [name, p] of params) {
      this.m.set(name, tf.variable(tf.zerosLike(p), false));
      this.v.set(name, tf.variable(tf.zerosLike(p), false));
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
    // Σ (x − x) over every new value: 0 when all are finite, NaN otherwise (one read-back for the whole model).
    let check: tf.Tensor = tf.scalar(0);
    for (const [name, p] of this.params) {
      const g = grads.get(name);
      if (!g) continue;
      const next = tf.tidy(() => {
        const { m, v, p: np } = this.next(name, p, g, t, lr, gradScale);
        return tf.add(check, tf.add(tf.add(tf.sum(tf.sub(m, m)), tf.sum(tf.sub(v, v))), tf.sum(tf.sub(np, np))));
      });
      check.dispose();
      check = next;
    }
    const finite = Number.isFinite(check.dataSync()[0]!);
    check.dispose();
    if (!finite) return false;
    this.step = t;
    tf.tidy(() => {
      for (const [name, p] of this.params) {
        const g = grads.get(name);
        if (!g) continue;
        const { m, v, p: np } = this.next(name, p, g, t, lr, gradScale);
        this.m.get(name)!.assign(m);
        this.v.get(name)!.assign(v);
        p.assign(np);
      }
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

  /** Moments by parameter name, for checkpoints. */
  state(): { step: number; m: Map<string, tf.Variable>; v: Map<string, tf.Variable> } {
    return { step: this.step, m: this.m, v: this.v };
  }

  restore(step: number, read: (key: string) => Float32Array): void {
    this.step = step;
    for (const [prefix, moments] of [['m', this.m], ['v', this.v]] as const)
      for (const [name, t] of moments) {
        const data = read(`${prefix}.${name}`);
        if (data.length !== t.size) throw new Error(`optimizer state "${prefix}.${name}" has ${data.length} values, expected ${t.size}`);
        tf.tidy(() => t.assign(tf.tensor(data, t.shape)));
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
  return tf.tidy(() => {
    let total = tf.scalar(0);
    for (const g of grads) total = tf.add(total, tf.sum(tf.square(g)));
    return Math.sqrt(total.dataSync()[0]!);
  });
}

/** The factor that brings a global gradient norm down to maxNorm (1 when it is already below). */
export function clipScale(norm: number, maxNorm: number): number {
  return norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
}
