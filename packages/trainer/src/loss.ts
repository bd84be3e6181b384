// The policy-gradient loss of one micro-batch (method.md §3–4), on the tfjs tape:
//
//   loss = −1/(B·G) · Σ_rows [ Σ_entries surrogate(ℓ_e, A_row) + R_row ] + β/(B·G) · Σ_entries KL_e
//
//   surrogate = A·ℓ_e                                   (plain REINFORCE / RLOO / GRPO)
//             = min(ρ_e·A, clip(ρ_e, 1 ± ε)·A)          (PPO-style, ρ_e = exp(ℓ_e − ℓ_e^old))
//   KL_e      = exp(ℓ_ref − ℓ_e) − (ℓ_ref − ℓ_e) − 1      (k3 estimator on the sampled actions)
//   R_row     = the differentiable likelihood reward (likelihood rewards only)
//
// ℓ_e are per-action log-probabilities: CoT steps (token or Gaussian), and answer tokens when answers
// are sampled actions. Prefill is never an action.
import * as tf from '@tensorflow/tfjs';
import type { CausalLM } from '@softcot/model';
import { scoreSequences, type ScoredSequence, type ScoringSettings } from './logprobs';
import { likelihoodTerm, type LikelihoodReward } from './rewards';

export interface MicroBatch {
  seqs: ScoredSequence[];
  advantages: number[];
  /** Per row: old per-entry log-probs (CoT entries then scored entries), for PPO ratios. */
  oldEntries?: number[][];
  /** Per row: reference model's per-entry log-probs, for the KL penalty. */
  refEntries?: number[][];
  /** JEPO weights per row. */
  jepoWeights?: number[];
}

export interface LossSettings {
  scoring: ScoringSettings;
  /** Scored tokens are sampled answers (actions), not a likelihood target. */
  scoredAreActions: boolean;
  likelihood?: LikelihoodReward;
  /** B·G: the loss is a mean over every sample of the step, whatever the micro-batching. */
  normaliser: number;
  ppoClip?: number;
  klBeta?: number;
}

/** Per-row entry lists from flat entries: CoT entries first, then scored entries, in sequence order. */
export function entriesPerRow(cot: Float32Array | number[], cotRow: Int32Array, scored: Float32Array | number[], scoredRow: Int32Array, rows: number): number[][] {
  const out: number[][] = Array.from({ length: rows }, () => []);
  cotRow.forEach((r, i) => out[r]!.push(cot[i]!));
  scoredRow.forEach((r, i) => out[r]!.push(scored[i]!));
  return out;
}

export function microBatchLoss(model: CausalLM, mb: MicroBatch, s: LossSettings): tf.Scalar {
  return tf.tidy(() => {
    const M = mb.seqs.length;
    const e = scoreSequences(model, mb.seqs, s.scoring);
    // Action entries ordered per row: CoT steps then (if actions) answer tokens.
    const parts: tf.Tensor1D[] = [e.cot];
    const rowsOf: number[] = Array.from(e.cotRow);
    if (s.scoredAreActions) {
      parts.push(e.scored);
      rowsOf.push(...e.scoredRow);
    }
    const order = rowsOf.map((r, i) => [r, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => i);
    const actions = tf.gather(tf.concat(parts), tf.tensor1d(order, 'int32')) as tf.Tensor1D;
    const actionRows = order.map((i) => rowsOf[i]!);
    const adv = tf.tensor1d(actionRows.map((r) => mb.advantages[r]!));

    let objective: tf.Scalar;
    if (s.ppoClip !== undefined) {
      const old = tf.tensor1d(flatPerRow(mb.oldEntries, actionRows, 'oldEntries'));
      const ratio = tf.exp(tf.sub(actions, old));
      const clipped = tf.clipByValue(ratio, 1 - s.ppoClip, 1 + s.ppoClip);
      objective = tf.sum(tf.minimum(tf.mul(ratio, adv), tf.mul(clipped, adv)));
    } else {
      objective = tf.sum(tf.mul(actions, adv));
    }
    if (s.likelihood) {
      objective = tf.add(objective, likelihoodTerm(s.likelihood, e.scored, e.scoredRow, M, mb.jepoWeights));
    }
    let loss = tf.div(tf.neg(objective), s.normaliser) as tf.Scalar;
    if (s.klBeta !== undefined && s.klBeta > 0) {
      const ref = tf.tensor1d(flatPerRow(mb.refEntries, actionRows, 'refEntries'));
      const delta = tf.sub(ref, actions);
      const kl = tf.sum(tf.sub(tf.sub(tf.exp(delta), delta), 1));
      loss = tf.add(loss, tf.mul(kl, s.klBeta / s.normaliser));
    }
    return loss;
  });
}

/** Flatten per-row entry lists in action order (rows ascending, entries in sequence order). */
function flatPerRow(perRow: number[][] | undefined, actionRows: number[], what: string): number[] {
  if (!perRow) throw new Error(`microBatchLoss: ${what} are required`);
  const cursor = new Array<number>(perRow.length).fill(0);
  return actionRows.map((r) => {
    const v = perRow[r]![cursor[r]!++];
    if (v === undefined) throw new Error(`microBatchLoss: ${what} for row ${r} are shorter than its actions`);
    return v;
  });
}
