// One optimizer update from gradients, shared by RL and supervised training: global norm, a refusal of non-finite
// losses, gradients and resulting weights (reported, never applied), clipping, AdamW. And gradient accumulation over micro-batches.
import * as tf from '@tensorflow/tfjs';
import { AdamW, clipScale, globalNorm, sumOverTensors } from './optimizer';

/** Add a micro-batch's gradients (keyed by tfjs variable name) into `acc` (keyed by parameter name); disposes them. */
export function accumulateGradients(acc: Map<string, tf.Tensor>, grads: tf.NamedTensorMap, paramNameOf: Map<string, string>): void {
  for (const [varName, g] of Object.entries(grads)) {
    const name = paramNameOf.get(varName);
    if (name === undefined) throw new Error(`accumulateGradients: gradient for unknown variable ${varName}`);
    const prev = acc.get(name);
    if (prev) {
      acc.set(name, tf.add(prev, g));
      tf.dispose([prev, g]);
    } else acc.set(name, g);
  }
}

/** tfjs variable name → parameter name, for a model's parameter map. */
export function paramNames(params: Map<string, tf.Variable>): Map<string, string> {
  return new Map([...params].map(([name, v]) => [v.name, name]));
}

export interface UpdateResult {
  gradNorm: number;
  /** Why the update was not applied (non-finite loss or gradient), or null. */
  skipped: string | null;
}

/**
 * Apply one AdamW update with `grads` (by parameter name) unless the loss or the gradient is non-finite, or the
 * update would leave a non-finite weight (then it is rolled back before anything is written, and reported).
 */
export function applyUpdate(optimizer: AdamW, grads: Map<string, tf.Tensor>, o: { loss: number; lr: number; maxGradNorm: number | null }): UpdateResult {
  const gradNorm = globalNorm(grads.values());
  if (!Number.isFinite(o.loss)) return { gradNorm, skipped: `non-finite loss (${o.loss})` };
  if (!Number.isFinite(gradNorm)) return { gradNorm, skipped: `non-finite gradient norm (${gradNorm})` };
  const applied = optimizer.apply(grads, o.lr, o.maxGradNorm === null ? 1 : clipScale(gradNorm, o.maxGradNorm));
  if (!applied) return { gradNorm, skipped: `non-finite weights after the update (lr ${o.lr}); rolled back` };
  return { gradNorm, skipped: null };
}

/** cos(a, b) of two gradient maps over their shared parameters; null when either is zero (no direction to compare). */
export function gradientCosine(a: Map<string, tf.Tensor>, b: Map<string, tf.Tensor>): number | null {
  // Term by term (sumOverTensors): a tidy around all terms would hold a gradient-sized temporary per parameter.
  const shared = [...a].filter(([name]) => b.has(name));
  const dot = sumOverTensors(shared, ([name, ga]) => tf.sum(tf.mul(ga, b.get(name)!)));
  const na = sumOverTensors(a.values(), (g) => tf.sum(tf.square(g)));
  const nb = sumOverTensors(b.values(), (g) => tf.sum(tf.square(g)));
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : null;
}
